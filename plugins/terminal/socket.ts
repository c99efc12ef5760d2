import type { FastifyInstance } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import { Value } from '@sinclair/typebox/value';
import { can, type Principal } from '../auth/index.js';
import { ClientFrame, type ClientFrameT, type ServerFrameT, type TerminalOptions } from './schema.js';
import { TerminalBadFrame, TerminalForbidden, TerminalReadOnly, TerminalSlowClient, TerminalThrottled, TerminalUnauthenticated } from './errors.js';
import type { FailureWindow } from './throttle.js';

/** Turns a token into a principal: an API token, or (when offered) a stream token for terminals. */
export type TerminalVerifier = (token: string, via: 'query' | 'message') => Promise<Principal | null>;

interface Coded { code: string; message: string; statusCode?: number }

/** Close codes: 4000 + the HTTP status of the error, so clients can tell 401/403/404 apart. */
const closeCode = (err: Coded) => 4000 + (err.statusCode && err.statusCode < 1000 ? err.statusCode : 500);

/**
 * One terminal connection. Until a token is verified nothing about the session is sent; after it
 * the client gets `ready`, the current screen, then raw output as binary frames. Input and resize
 * are taken from principals that may act on the session; a viewer's are refused with an error
 * frame and the stream goes on. A client that lets more than `maxBufferedBytes` pile up is cut off.
 */
export class TerminalConnection {
  private principal: Principal | null = null;
  private readOnly = true;
  private cleanups: Array<() => void> = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly app: FastifyInstance,
    private readonly socket: WebSocket,
    private readonly sessionId: string,
    private readonly opts: TerminalOptions,
    private readonly verify: TerminalVerifier,
    private readonly meta: { ip: string; url: string },
    private readonly failures: FailureWindow,
    private readonly log: Logger,
  ) {
    socket.on('close', () => this.dispose());
    socket.on('error', (err) => { this.log.debug({ err }, 'terminal socket error'); this.dispose(); });
    // Frames are handled one at a time, so input never overtakes the authentication before it.
    socket.on('message', (raw, isBinary) => { this.queue = this.queue.then(() => this.onMessage(raw, isBinary)); });
  }

  /** Authenticates with the query token at once, or waits for the first frame. */
  start(queryToken: string | undefined): void {
    if (this.failures.blocked(this.meta.ip)) return this.fail(new TerminalThrottled());
    if (queryToken !== undefined) {
      this.queue = this.queue.then(() => this.authenticate(queryToken, 'query'));
      return;
    }
    const timer = setTimeout(() => {
      if (this.principal) return;
      this.failures.hit(this.meta.ip);
      this.fail(new TerminalUnauthenticated('no auth frame in time'), 'timeout');
    }, this.opts.authTimeoutMs);
    this.cleanups.push(() => clearTimeout(timer));
  }

  private async onMessage(raw: RawData, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
    let frame: ClientFrameT;
    try {
      if (isBinary || size > this.opts.maxMessageBytes) throw new Error(isBinary ? 'binary frame' : 'too large');
      frame = JSON.parse(raw.toString()) as ClientFrameT;
      if (!Value.Check(ClientFrame, frame)) throw new Error('not a client frame');
    } catch (err) {
      const e = new TerminalBadFrame((err as Error).message);
      if (!this.principal) return this.fail(e, 'malformed');
      return this.send({ type: 'error', code: e.code, message: e.message });
    }
    if (!this.principal) {
      if (frame.type !== 'auth') return this.fail(new TerminalUnauthenticated('the first frame must be auth'), 'missing');
      return this.authenticate(frame.token, 'message');
    }
    if (frame.type === 'auth') return;
    if (this.readOnly) {
      const e = new TerminalReadOnly(this.principal.id);
      return this.send({ type: 'error', code: e.code, message: e.message });
    }
    try {
      if (frame.type === 'input') this.app.sessions.write(this.sessionId, frame.data);
      else this.app.sessions.resize(this.sessionId, frame.cols, frame.rows);
    } catch (err) {
      const e = err as Coded;
      this.send({ type: 'error', code: e.code ?? 'AEGIS_ERR_INTERNAL', message: e.message });
    }
  }

  private async authenticate(token: string, via: 'query' | 'message'): Promise<void> {
    const principal = await this.verify(token, via).catch(() => null);
    if (this.closed) return;
    if (!principal) {
      this.failures.hit(this.meta.ip);
      return this.fail(new TerminalUnauthenticated('the token is not valid'), via === 'query' ? 'stream-token' : 'unknown');
    }
    let record: ReturnType<FastifyInstance['sessions']['authorize']>;
    try {
      if (!can(principal, 'read')) throw new TerminalForbidden(principal.id);
      record = this.app.sessions.authorize(principal, this.sessionId, 'read');
    } catch (err) {
      return this.fail(err as Coded);
    }
    this.principal = principal;
    this.readOnly = !can(principal, 'send') || this.app.sessions.access(principal, record, 'act') !== 'allow';
    this.send({ type: 'ready', sessionId: this.sessionId, readOnly: this.readOnly, role: principal.role });
    const view = this.app.sessions.get(this.sessionId)!;
    const pane = this.app.sessions.pane(this.sessionId);
    this.send({ type: 'screen', data: this.app.sessions.serializeScreen(this.sessionId), cols: pane.cols, rows: pane.rows });
    if (view.status === 'exited') {
      this.send({ type: 'exit', status: 'exited' });
      this.close(1000, 'exited');
      return;
    }
    this.cleanups.push(this.app.sessions.onOutput(this.sessionId, (data) => this.output(data)));
    this.cleanups.push(this.app.events.on('session.exited', (p) => {
      if (p.sessionId !== this.sessionId) return;
      this.send({ type: 'exit', status: 'exited' });
      this.close(1000, 'exited');
    }));
  }

  private output(data: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.opts.maxBufferedBytes) {
      const e = new TerminalSlowClient(String(this.opts.maxBufferedBytes));
      this.log.info({ sessionId: this.sessionId, principalId: this.principal?.id }, 'terminal client too slow; cut off');
      this.close(1008, e.code);
      return;
    }
    this.socket.send(Buffer.from(data, 'utf8'), { binary: true });
  }

  private send(frame: ServerFrameT): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private fail(err: Coded, reason?: string): void {
    if (reason) {
      this.app.events.emit('auth.failed', { ip: this.meta.ip, method: 'GET', url: this.meta.url, code: err.code, at: new Date().toISOString(), reason });
    }
    this.send({ type: 'error', code: err.code, message: err.message });
    this.close(closeCode(err), err.code);
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(code, reason);
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.cleanups.splice(0)) c();
  }
}
