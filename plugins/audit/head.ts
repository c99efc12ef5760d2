import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, safeEqual } from '../../kernel/index.js';

/** The file beside the daily files that holds the signed head. */
export const HEAD_FILE = 'head.json';

/**
 * The newest durable record's seq and hash, signed with the audit key. It is rewritten after
 * every group commit, once the records it names are on disk, so a crash can leave the head
 * behind the log but never ahead of it. A log that ends before its head lost its tail.
 */
export interface SignedHead {
  seq: number;
  hash: string;
  /** When the head was written (ISO). */
  ts: string;
  /** HMAC-SHA256(key, "aegis-audit-head:<seq>:<hash>:<ts>"). */
  mac: string;
}

const macOf = (key: string, h: Omit<SignedHead, 'mac'>) =>
  createHmac('sha256', key).update(`aegis-audit-head:${h.seq}:${h.hash}:${h.ts}`).digest('hex');

export function signHead(key: string, pos: { seq: number; hash: string }, ts = new Date().toISOString()): SignedHead {
  const head = { seq: pos.seq, hash: pos.hash, ts };
  return { ...head, mac: macOf(key, head) };
}

/** Whether a head's signature holds under `key`. */
export function headValid(key: string, head: SignedHead): boolean {
  return typeof head.seq === 'number' && typeof head.hash === 'string' && typeof head.ts === 'string' &&
    typeof head.mac === 'string' && safeEqual(head.mac, macOf(key, head));
}

/** The head in `dir`: absent (a log from before heads existed, or a new one), or read with its validity. */
export async function readHead(dir: string, key: string): Promise<{ head?: SignedHead; valid: boolean }> {
  let head: SignedHead;
  try {
    head = JSON.parse(await readFile(join(dir, HEAD_FILE), 'utf8')) as SignedHead;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { valid: true };
    return { valid: false };
  }
  return { head, valid: headValid(key, head) };
}

/** Writes the signed head atomically (temp file, fsync, rename, fsync of the folder). */
export async function writeHead(dir: string, key: string, pos: { seq: number; hash: string }): Promise<SignedHead> {
  const head = signHead(key, pos);
  await atomicWriteJson(join(dir, HEAD_FILE), head, 0o600);
  return head;
}
