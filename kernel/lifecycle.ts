import type { FastifyInstance } from 'fastify';
import { ServerDraining } from './errors.js';

/**
 * Run state of the server (`app.lifecycle`): whether it is draining and how many requests are in
 * flight. Routes marked `config: { drain: 'allow' }` (health) still answer while draining.
 */
export class Lifecycle {
  readonly startedAt = Date.now();
  draining = false;
  inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  /** Seconds since the server object was built. */
  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  requestStarted(): void {
    this.inFlight++;
  }

  requestEnded(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

/**
 * Counts in-flight requests and refuses new ones with 503 while draining. A request leaves the
 * count when its response's socket side closes: that fires for a finished response, an aborted
 * one, and one whose connection the parser killed (a body followed by garbage), where fastify's
 * onResponse never runs.
 */
export function installDrainHooks(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.addHook('onRequest', async (request, reply) => {
    if (lifecycle.draining && request.routeOptions.config?.drain !== 'allow') throw new ServerDraining();
    lifecycle.requestStarted();
    reply.raw.once('close', () => lifecycle.requestEnded());
  });
}

export interface ShutdownOptions {
  graceMs: number;
  hardMs: number;
  exit: (code: number) => void;
}

/**
 * The shutdown sequence: draining (health 503, new requests 503) until in-flight requests end or
 * the grace period passes, then the remaining connections are cut and `app.close()` closes the
 * plugins in reverse order; exit 0. Past the hard cap, or on a second signal, exit 1.
 */
export function createShutdown(app: FastifyInstance, lifecycle: Lifecycle, opts: ShutdownOptions) {
  let started = false;
  return async function shutdown(reason: string): Promise<void> {
    if (started) {
      app.log.warn({ reason }, 'second shutdown signal; exiting now');
      opts.exit(1);
      return;
    }
    started = true;
    const t0 = Date.now();
    const hard = setTimeout(() => {
      try {
        app.log.error({ hardMs: opts.hardMs, inFlight: lifecycle.inFlight }, 'shutdown passed the hard limit; exiting 1');
      } finally {
        opts.exit(1);
      }
    }, opts.hardMs);
    lifecycle.draining = true;
    app.events.emit('server.draining', { at: new Date().toISOString() });
    app.log.info({ reason, inFlight: lifecycle.inFlight, graceMs: opts.graceMs }, 'draining');
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => { graceTimer = setTimeout(() => resolve(false), opts.graceMs); });
    const drained = await Promise.race([lifecycle.whenIdle().then(() => true), graceOver]);
    clearTimeout(graceTimer);
    if (!drained) {
      app.log.warn({ inFlight: lifecycle.inFlight }, 'grace period over; cutting the requests still in flight');
      app.server.closeAllConnections();
    }
    try {
      await app.close();
    } catch (err) {
      app.log.error({ err }, 'error while closing plugins');
      clearTimeout(hard);
      opts.exit(1);
      return;
    }
    clearTimeout(hard);
    app.log.info({ ms: Date.now() - t0 }, 'shut down');
    opts.exit(0);
  };
}
