import { randomUUID } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { can, type Principal } from '../auth/index.js';
import { SpanAttr, annotateSpan, withSpan } from '../../kernel/index.js';
import type {
  AccessAction, AccessPolicy, AgentUserResolver, CreateGuard, CreateSessionInput, IsolationStatus, ListFilter, ListPage,
  QuotaProvider, SessionMetrics, SessionView, SessionsService, TranscriptCursorPage, TranscriptPage,
} from './api.js';
import type { AgentIdentity } from './agent-user.js';
import { agentCanWrite } from './agent-user.js';
import type { AgentDriver, Answer, SendResult } from './driver.js';
import type { ScreenSnapshot, SessionRecord, TranscriptEntry } from './types.js';
import { SessionActions } from './actions.js';
import { checkCreate, DEFAULT_AGENT, type CheckedCreate } from './create.js';
import {
  BypassForbidden, CursorInvalid, SessionForbidden, SessionLimit, SessionNotFound, StartFailed, WorkDirNotWritable,
} from './errors.js';
import { metricsView, emptyMetrics } from './metrics.js';
import { Session, type SessionDeps } from './session.js';
import { SessionFiles } from './record-store.js';
import { pageBefore, pageByOffset } from './transcript.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { exportCast } from './recording.js';

/** The sessions registry behind `app.sessions`. */
export class SessionsRegistry implements SessionsService {
  private readonly drivers = new Map<string, AgentDriver>();
  private readonly sessions = new Map<string, Session>();
  private readonly guards: CreateGuard[] = [];
  private readonly policies: AccessPolicy[] = [];
  private readonly quotas: QuotaProvider[] = [];
  private readonly actions: SessionActions;
  /** Owners of creates between the limit checks and registration, so concurrent creates cannot overshoot. */
  private reserved: SessionRecord['owner'][] = [];
  private perOwnerUsers = false;

  constructor(private readonly deps: SessionDeps) {
    this.actions = new SessionActions(deps.events, deps.options.sendTimeoutMs);
  }

  /** Set by the plugin when restore starts; resolved once every session is back. */
  restoring: Promise<void> = Promise.resolve();

  whenRestored(): Promise<void> {
    return this.restoring;
  }

  addAgent(driver: AgentDriver): void {
    if (this.drivers.has(driver.name)) throw new Error(`an agent named ${driver.name} is already registered`);
    this.drivers.set(driver.name, driver);
  }

  agents(): AgentDriver[] { return [...this.drivers.values()]; }
  driverFor(name: string): AgentDriver | undefined { return this.drivers.get(name); }
  addCreateGuard(guard: CreateGuard): void { this.guards.push(guard); }
  addAccessPolicy(policy: AccessPolicy): void { this.policies.push(policy); }
  addQuota(provider: QuotaProvider): void { this.quotas.push(provider); }
  addAgentUser(resolver: AgentUserResolver): void { this.deps.runner.addResolver(resolver); this.perOwnerUsers = true; }
  checkAgentUser(spec: string): AgentIdentity { return this.deps.runner.resolve(spec); }

  isolation(): IsolationStatus {
    const agentUser = this.deps.options.agentUser;
    const serverIsRoot = process.getuid?.() === 0;
    const status: IsolationStatus = { perOwnerUsers: this.perOwnerUsers, serverIsRoot, ...(agentUser ? { agentUser } : {}) };
    if (serverIsRoot && !agentUser) {
      status.warning = `Aegis runs as root and plugins.sessions.agentUser is not set: agents${this.perOwnerUsers ? ' without a tenant agent user' : ''} `
        + 'run as root and can read the state directory (master token, API keys, audit key, every session\'s hook secret), '
        + 'the server\'s environment through /proc, and every file on this machine';
    }
    return status;
  }

  /** bypassPermissions needs `bypass`; a refusal is an `auth.denied` event, so it is audited. */
  private checkBypass(mode: string, principal: Principal | null): void {
    if (mode !== 'bypassPermissions' || !principal || can(principal, 'bypass')) return;
    this.deps.events.emit('auth.denied', {
      principalId: principal.id, ...(principal.tenantId !== undefined ? { tenantId: principal.tenantId } : {}),
      permission: 'bypass', method: 'POST', url: '/v1/sessions', at: new Date().toISOString(),
    });
    throw new BypassForbidden();
  }

  /** The agent user must be able to work in the workDir, or the session would start broken. */
  private async checkWritable(owner: SessionRecord['owner'], workDir: string): Promise<void> {
    const id = this.deps.runner.identityFor(owner);
    if (id && !(await agentCanWrite(id, workDir))) {
      throw Object.assign(new WorkDirNotWritable(workDir, id.user), { details: { workDir, user: id.user } });
    }
  }

  /** maxSessions and every quota, counting live sessions and creates in flight. */
  private checkLimits(principal: Principal | null): void {
    const live = this.all().filter((s) => s.live);
    if (live.length + this.reserved.length >= this.deps.options.maxSessions) throw new SessionLimit(String(this.deps.options.maxSessions));
    for (const q of this.quotas.flatMap((p) => p(principal))) {
      const used = live.filter((s) => q.counts(s.record.owner)).length + this.reserved.filter((o) => q.counts(o)).length;
      if (used >= q.max) throw q.refuse();
    }
  }

  access(principal: Principal | null, record: SessionRecord, action: AccessAction): 'allow' | 'hide' | 'deny' {
    let decision: 'allow' | 'deny' = 'allow';
    for (const policy of this.policies) {
      const d = policy(principal, record, action);
      if (d === 'hide') return 'hide';
      if (d === 'deny') decision = 'deny';
    }
    return decision;
  }

  authorize(principal: Principal | null, id: string, action: AccessAction): SessionRecord {
    const s = this.sessions.get(id);
    if (!s) throw new SessionNotFound(id);
    const d = this.access(principal, s.record, action);
    if (d === 'hide') {
      this.deps.events.emit('session.lookup-hidden', {
        sessionId: id, principalId: principal?.id ?? 'anonymous', ...(principal?.tenantId !== undefined ? { tenantId: principal.tenantId } : {}),
        action, at: new Date().toISOString(),
      });
      throw new SessionNotFound(id);
    }
    if (d === 'deny') throw new SessionForbidden(action, id);
    return s.record;
  }

  /** Internal: the session object (routes, restore). Throws SESSION_NOT_FOUND. */
  session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new SessionNotFound(id);
    return s;
  }

  /** Internal: adds a loaded or created session. */
  register(s: Session): void { this.sessions.set(s.record.id, s); }
  /** Internal: drops an ended session (retention). */
  forget(id: string): void { if (!this.sessions.get(id)?.live) this.sessions.delete(id); }
  all(): Session[] { return [...this.sessions.values()]; }

  create(input: CreateSessionInput, principal: Principal | null): Promise<{ session: SessionView; reused: boolean }> {
    const attributes = {
      [SpanAttr.agent]: input.agent ?? DEFAULT_AGENT, [SpanAttr.permissionMode]: input.permissionMode ?? 'default',
      ...(principal?.tenantId ? { [SpanAttr.tenant]: principal.tenantId } : {}),
    };
    return withSpan('session.create', attributes, () => this.createInSpan(input, principal));
  }

  private async createInSpan(input: CreateSessionInput, principal: Principal | null): Promise<{ session: SessionView; reused: boolean }> {
    const o = this.deps.options;
    const c = await checkCreate(input, this.drivers, { allow: o.requestEnv, deny: o.envDenylist });
    this.checkBypass(c.permissionMode, principal);
    const origin = input.resumeSessionId !== undefined ? 'resume' : 'create';
    const envNames = Object.keys(c.env);
    for (const guard of this.guards) {
      await guard({ workDir: c.workDir, agent: c.agent, env: c.env, principal, origin, permissionMode: c.permissionMode, envNames });
    }
    const owner = { principalId: principal?.id ?? 'anonymous', tenantId: principal?.tenantId };
    await this.checkWritable(owner, c.workDir);
    const idle = this.findReusable(input, c, owner, principal);
    if (idle) {
      annotateSpan({ [SpanAttr.sessionId]: idle.record.id, 'aegis.session.reused': true });
      if (c.prompt) await this.actions.send(idle, c.prompt, principal);
      this.deps.events.emit('session.reused', {
        sessionId: idle.record.id, tenantId: idle.record.owner.tenantId, at: new Date().toISOString(), actorId: principal?.id, prompted: !!c.prompt,
      });
      return { session: idle.view(), reused: true };
    }
    this.checkLimits(principal);
    this.reserved.push(owner);
    let made: { s: Session; secretSaved: Promise<void> };
    try {
      made = await this.newSession(input, c, owner);
    } finally {
      this.reserved.splice(this.reserved.indexOf(owner), 1);
    }
    const { s, secretSaved } = made;
    const agentUser = this.deps.runner.identityFor(owner)?.user;
    annotateSpan({ [SpanAttr.sessionId]: s.record.id, 'aegis.session.reused': false });
    // Registered in the same tick the reservation ends, so no create counts it twice or not at all.
    this.register(s);
    try {
      // Announced once its record is on disk, so no one hears of a session a crash would forget.
      await s.save();
      this.deps.events.emit('session.created', {
        sessionId: s.record.id, tenantId: owner.tenantId, at: s.record.createdAt, agent: c.agent, workDir: c.workDir,
        name: input.name, ownerId: owner.principalId, permissionMode: c.permissionMode, envNames,
        ...(agentUser ? { agentUser } : {}),
      });
      await this.start(s, { resume: input.resumeSessionId !== undefined, prompt: c.prompt });
    } finally {
      // Whatever happened, the secret's write is over before the request is: nothing is left running.
      await secretSaved;
    }
    // The client hears of the session only once its record (with the agent's pid) is on disk.
    await s.flush();
    return { session: s.view(), reused: false };
  }

  private findReusable(input: CreateSessionInput, c: CheckedCreate, owner: SessionRecord['owner'], principal: Principal | null) {
    // Anything that makes the request about a particular conversation or setup rules reuse out.
    if (!this.deps.options.reuseIdle || input.reuse === false || input.resumeSessionId !== undefined) return undefined;
    if (input.agentOptions && Object.keys(input.agentOptions).length > 0) return undefined;
    return this.all().find((s) => {
      const r = s.record;
      return r.status === 'idle' && r.agent === c.agent && r.workDir === c.workDir
        && r.owner.principalId === owner.principalId && r.owner.tenantId === owner.tenantId
        && r.permissionMode === c.permissionMode && JSON.stringify(r.env) === JSON.stringify(c.env)
        && (input.name === undefined || input.name === r.name)
        && this.access(principal, r, 'act') === 'allow';
    });
  }

  /**
   * Builds a new session (record, folder, secret, transcript) without registering it. The hook
   * secret is only read back on restore (a missing one is replaced there), so its durable write
   * runs alongside the start and is awaited before the answer; a failure is logged, not fatal.
   */
  private async newSession(input: CreateSessionInput, c: CheckedCreate, owner: SessionRecord['owner']): Promise<{ s: Session; secretSaved: Promise<void> }> {
    const now = new Date().toISOString();
    const record: SessionRecord = {
      id: randomUUID(), name: input.name, agent: c.agent, workDir: c.workDir, permissionMode: c.permissionMode,
      env: c.env, owner, status: 'starting', createdAt: now, updatedAt: now, lastActivityAt: now,
      agentSessionId: input.resumeSessionId, restarts: 0, driver: c.driverArea, metrics: emptyMetrics(now),
    };
    await mkdir(this.deps.files.dir(record.id), { recursive: true, mode: 0o700 });
    const secret = SessionFiles.makeSecret();
    const secretSaved = this.deps.files.saveSecret(record.id, secret)
      .catch((err) => this.deps.log.error({ err, sessionId: record.id }, 'hook secret write failed; a restore will make a new one'));
    let s: Session;
    try {
      s = await Session.load(record, c.driver, secret, this.deps);
    } catch (err) {
      await secretSaved;
      throw err;
    }
    s.current = { state: 'starting', cause: 'created' };
    // A resumed conversation's history is not news; a new one's transcript is.
    if (input.resumeSessionId === undefined) s.messages.startFresh();
    return { s, secretSaved };
  }

  /** Starts (or resumes) the agent; on failure the session is kept as exited with the reason. */
  async start(s: Session, opts: { resume: boolean; prompt?: string }): Promise<void> {
    try {
      await s.useAgent();
      await s.driver!.start(s.ctx, opts);
      // Killed while it started (a resume runs in the background): what the start spawned goes too.
      if (s.ending === 'kill' && s.processRunning) await s.terminate();
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      s.log.warn({ err }, 'agent failed to start');
      if (s.processRunning) await s.terminate();
      s.markExited(`start failed: ${message}`, 'start-failed');
      await s.flush();
      const code = (err as { code?: unknown }).code;
      const coded = typeof code === 'string' && code.startsWith('AEGIS_ERR_') ? err as Error & { code: string } : new StartFailed(message);
      this.deps.events.emit('session.start-failed', {
        sessionId: s.record.id, tenantId: s.record.owner.tenantId, at: new Date().toISOString(), code: coded.code, reason: message,
      });
      throw coded;
    }
  }

  /**
   * Runs the create guards again for a session being restored, against the workDir's real path
   * today (a component may have been swapped for a symlink while the server was down). Returns
   * why it may not come back, or undefined.
   */
  async restoreRefusal(rec: Readonly<SessionRecord>): Promise<string | undefined> {
    let workDir: string;
    try {
      workDir = await realpath(rec.workDir);
    } catch (err) {
      return `workDir ${rec.workDir} is gone (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    const principal: Principal | null = rec.owner.tenantId === undefined ? null
      : { id: rec.owner.principalId, kind: 'key', role: 'operator', tenantId: rec.owner.tenantId };
    try {
      for (const guard of this.guards) {
        await guard({ workDir, agent: rec.agent, env: rec.env, principal, origin: 'restore', permissionMode: rec.permissionMode, envNames: Object.keys(rec.env) });
      }
    } catch (err) {
      return `refused on restore: ${(err as Error).message}`;
    }
    return undefined;
  }

  get(id: string): SessionView | undefined { return this.sessions.get(id)?.view(); }
  record(id: string): Readonly<SessionRecord> | undefined { return this.sessions.get(id)?.record; }

  list(filter: ListFilter = {}): ListPage {
    const limit = filter.limit ?? 50;
    let rows = this.all().sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt) || a.record.id.localeCompare(b.record.id));
    if ('principal' in filter) rows = rows.filter((s) => this.access(filter.principal ?? null, s.record, 'read') === 'allow');
    if (filter.status) rows = rows.filter((s) => s.record.status === filter.status);
    if (filter.agent) rows = rows.filter((s) => s.record.agent === filter.agent);
    let offset = filter.offset ?? 0;
    if (filter.cursor !== undefined) {
      const after = decodeCursor(filter.cursor);
      if (!after) throw new CursorInvalid(filter.cursor);
      const i = rows.findIndex((s) => s.record.createdAt > after.createdAt || (s.record.createdAt === after.createdAt && s.record.id > after.id));
      offset = i < 0 ? rows.length : i;
    }
    const page = rows.slice(offset, offset + limit);
    const last = page[page.length - 1];
    const more = offset + page.length < rows.length;
    return {
      sessions: page.map((s) => s.view()), total: rows.length, limit, offset,
      nextCursor: more && last ? encodeCursor(last.record.createdAt, last.record.id) : undefined,
    };
  }

  send(id: string, text: string, actor?: Principal | null): Promise<SendResult> { return this.actions.send(this.session(id), text, actor); }
  approve(id: string, option?: number, actor?: Principal | null): Promise<void> { return this.actions.approve(this.session(id), option, actor); }
  reject(id: string, actor?: Principal | null): Promise<void> { return this.actions.reject(this.session(id), actor); }
  answer(id: string, answer: Answer, actor?: Principal | null): Promise<void> { return this.actions.answer(this.session(id), answer, actor); }
  interrupt(id: string, actor?: Principal | null): Promise<void> { return this.actions.interrupt(this.session(id), actor); }
  escape(id: string, actor?: Principal | null): Promise<void> { return this.actions.escape(this.session(id), actor); }

  async kill(id: string, actor?: Principal | null, opts: { wait?: boolean } = {}): Promise<SessionView> {
    const s = this.session(id);
    if (!s.live) return s.view();
    const r = s.record;
    const attributes = {
      [SpanAttr.sessionId]: r.id, [SpanAttr.agent]: r.agent, [SpanAttr.permissionMode]: r.permissionMode,
      ...(r.owner.tenantId ? { [SpanAttr.tenant]: r.owner.tenantId } : {}),
    };
    const ended = s.stopping ?? withSpan('session.kill', attributes, () => this.actions.kill(s, this.deps.options.killGraceMs, actor));
    // Without waiting, the answer still comes only once `ending` is on disk: a crash after it
    // cannot bring back (resume) an agent the caller was told is being killed.
    await (opts.wait === false ? s.persisted() : ended);
    return s.view();
  }

  write(id: string, data: string): void { this.session(id).write(data); }
  pane(id: string): ScreenSnapshot { return this.session(id).screen(); }
  resize(id: string, cols: number, rows: number): void { this.session(id).resize(cols, rows); }
  serializeScreen(id: string): string { return this.session(id).serializeScreen(); }
  onOutput(id: string, listener: (data: string) => void): () => void { return this.session(id).onOutput(listener); }
  async recording(id: string): Promise<string | undefined> {
    const s = this.session(id);
    await s.flushRecording();
    return exportCast(s.sessionDir);
  }

  private async entries(s: Session): Promise<TranscriptEntry[]> {
    return s.driver?.transcript ? s.driver.transcript(s.ctx) : s.readTranscript();
  }

  async transcript(id: string, page: { limit?: number; offset?: number; role?: TranscriptEntry['role'] } = {}): Promise<TranscriptPage> {
    return pageByOffset(await this.entries(this.session(id)), page.limit ?? 100, page.offset ?? 0, page.role);
  }

  async transcriptBefore(id: string, page: { beforeId?: string; limit?: number } = {}): Promise<TranscriptCursorPage> {
    const out = pageBefore(await this.entries(this.session(id)), page.limit ?? 100, page.beforeId);
    if (!out) throw new CursorInvalid(page.beforeId ?? '');
    return out;
  }

  async metrics(id: string): Promise<SessionMetrics> {
    const s = this.session(id);
    const usage = s.driver?.usage ? await s.driver.usage(s.ctx).catch((err) => { s.log.warn({ err }, 'driver usage failed'); return undefined; }) : undefined;
    const view = metricsView(s.record, new Date(), usage);
    try {
      const own = s.driver?.metrics?.(s.ctx);
      if (own) view.driver = own;
    } catch (err) {
      s.log.warn({ err }, 'driver metrics failed');
    }
    return view;
  }
}
