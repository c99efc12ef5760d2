import { atomicWriteJson, readJsonIfExists } from '../../kernel/index.js';
import { KeyExpired, KeyNotFound, KeyRevoked } from './errors.js';
import { mintKey, parseKey, secretMatches } from './key-format.js';
import type { Principal } from './principal.js';
import type { CreateKeyInput, KeyViewT } from './schema.js';

const DAY_MS = 86_400_000;

/** One stored API key. Holds the hash of its secret, never the secret. */
export interface KeyRecord {
  id: string;
  name: string;
  role: Principal['role'];
  permissions: string[];
  tenantId?: string;
  rateLimit?: number;
  /** Live sessions this key may have at once. */
  maxSessions?: number;
  ttlDays?: number;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  rotatedAt?: string;
  secretHash: string;
  /** The secret replaced by the last rotation, accepted until `validUntil`. */
  previous?: { secretHash: string; validUntil: string };
}

/** Why a key-shaped token was refused (for the audit trail; the client always sees one code). */
export type KeyFailure = 'unknown' | 'expired' | 'revoked';

/** Outcome of checking a token against the store. */
export type KeyCheck = { principal: Principal } | { failure: KeyFailure; keyId: string } | undefined;

interface KeysFile { version: 1; keys: KeyRecord[] }

/**
 * The API keys, in memory and in one JSON file (atomic writes, mode 0600). Mutations are
 * serialised, and memory changes only after the file is durable, so a crash never loses a key
 * that was handed out nor keeps one that was reported revoked.
 */
export class KeyStore {
  private keys = new Map<string, KeyRecord>();
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: string, private readonly now: () => number) {}

  /** Loads the store from `file` (empty when absent). `now` is injectable for tests. */
  static async open(file: string, now: () => number = Date.now): Promise<KeyStore> {
    const store = new KeyStore(file, now);
    const data = await readJsonIfExists<KeysFile>(file);
    for (const k of data?.keys ?? []) store.keys.set(k.id, k);
    return store;
  }

  /** Keys, optionally only those of one tenant. */
  list(tenantId?: string): KeyRecord[] {
    return [...this.keys.values()].filter((k) => tenantId === undefined || k.tenantId === tenantId);
  }

  get(id: string): KeyRecord | undefined { return this.keys.get(id); }

  status(k: KeyRecord): KeyViewT['status'] {
    if (k.revokedAt) return 'revoked';
    return k.expiresAt && Date.parse(k.expiresAt) <= this.now() ? 'expired' : 'active';
  }

  /** The API view of a key: no secret, no hash. */
  view(k: KeyRecord): KeyViewT {
    const { secretHash: _h, previous, ttlDays: _t, ...rest } = k;
    const live = previous && Date.parse(previous.validUntil) > this.now() ? previous.validUntil : undefined;
    return { ...rest, ...(live ? { previousValidUntil: live } : {}), status: this.status(k) };
  }

  async create(input: CreateKeyInput, actorId: string): Promise<{ record: KeyRecord; token: string }> {
    return this.update(() => {
      const minted = mintKey();
      const at = this.now();
      const record: KeyRecord = {
        id: minted.id, name: input.name, role: input.role, permissions: input.permissions ?? [],
        tenantId: input.tenantId, rateLimit: input.rateLimit, maxSessions: input.maxSessions, ttlDays: input.ttlDays,
        createdAt: new Date(at).toISOString(), createdBy: actorId,
        expiresAt: input.ttlDays !== undefined ? new Date(at + input.ttlDays * DAY_MS).toISOString() : undefined,
        secretHash: minted.secretHash,
      };
      return { record, token: minted.token };
    });
  }

  /** Revokes key `id` at once; revoking a revoked key changes nothing. */
  async revoke(id: string): Promise<KeyRecord> {
    const { record } = await this.update(() => {
      const k = this.usable(id, true);
      return { record: k.revokedAt ? k : { ...k, revokedAt: new Date(this.now()).toISOString(), previous: undefined } };
    });
    return record;
  }

  /** A new secret for key `id`; the old one keeps working for `graceSeconds` (0 = not at all). */
  async rotate(id: string, graceSeconds: number): Promise<{ record: KeyRecord; token: string }> {
    return this.update(() => {
      const k = this.usable(id, false);
      const at = this.now();
      const minted = mintKey(k.id);
      const oldEnd = Math.min(at + graceSeconds * 1000, k.expiresAt ? Date.parse(k.expiresAt) : Infinity);
      const record: KeyRecord = {
        ...k, secretHash: minted.secretHash, rotatedAt: new Date(at).toISOString(),
        expiresAt: k.ttlDays !== undefined ? new Date(at + k.ttlDays * DAY_MS).toISOString() : undefined,
        previous: oldEnd > at ? { secretHash: k.secretHash, validUntil: new Date(oldEnd).toISOString() } : undefined,
      };
      return { record, token: minted.token };
    });
  }

  /** Checks a presented token. `undefined` when it is not key-shaped (not ours to judge). */
  check(token: string): KeyCheck {
    const parsed = parseKey(token);
    if (!parsed) return undefined;
    const k = this.keys.get(parsed.id);
    // Both hashes are compared whatever the first says, so timing tells nothing about which matched.
    const current = secretMatches(parsed.secret, k?.secretHash ?? '0'.repeat(64));
    const previous = secretMatches(parsed.secret, k?.previous?.secretHash ?? '0'.repeat(64));
    const now = this.now();
    if (!k || !(current || (previous && Date.parse(k.previous!.validUntil) > now))) return { failure: 'unknown', keyId: parsed.id };
    if (k.revokedAt) return { failure: 'revoked', keyId: k.id };
    if (k.expiresAt && Date.parse(k.expiresAt) <= now) return { failure: 'expired', keyId: k.id };
    const principal: Principal = { id: k.id, kind: 'key', role: k.role, name: k.name, permissions: k.permissions };
    if (k.tenantId !== undefined) principal.tenantId = k.tenantId;
    if (k.rateLimit !== undefined) principal.rateLimit = k.rateLimit;
    if (k.maxSessions !== undefined) principal.maxSessions = k.maxSessions;
    return { principal };
  }

  private usable(id: string, allowRevoked: boolean): KeyRecord {
    const k = this.keys.get(id);
    if (!k) throw new KeyNotFound(id);
    if (k.revokedAt && !allowRevoked) throw new KeyRevoked(id);
    if (!k.revokedAt && this.status(k) === 'expired') throw new KeyExpired(id);
    return k;
  }

  /**
   * Runs `build` (which reads the current keys and returns the changed record) after every earlier
   * change, writes the store with its result, then makes it visible. Reading inside the queue keeps
   * two concurrent rotations of one key from each starting from the same old secret.
   */
  private update<T extends { record: KeyRecord }>(build: () => T): Promise<T> {
    const run = this.writing.then(async () => {
      const out = build();
      const next = new Map(this.keys).set(out.record.id, out.record);
      await atomicWriteJson(this.file, { version: 1, keys: [...next.values()] } satisfies KeysFile, 0o600);
      this.keys = next;
      return out;
    });
    this.writing = run.catch(() => {});
    return run;
  }
}
