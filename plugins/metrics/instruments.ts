import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { SESSION_STATES } from '../sessions/index.js';
import { acpRequestCounts } from '../acp/index.js';
import { residentBytes } from './processes.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WAITS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** The metrics the bus and the hooks feed; the rest are read at scrape time. */
export interface Instruments {
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  sessionsCreated: Counter<'agent'>;
  transitions: Counter<'from' | 'to'>;
  permissionWait: Histogram<'agent' | 'decision'>;
  deliveryTime: Histogram<'agent' | 'delivered'>;
  channelDeliveries: Counter<'channel'>;
  channelFailures: Counter<'channel'>;
  deadLetters: Counter<'channel'>;
  sseConnections: Gauge;
}

/** Live sessions by state and agent, agent processes and their memory, approvals waiting: read from `app.sessions` per scrape. */
function sessionGauges(app: FastifyInstance, register: Registry): void {
  const views = () => (app.hasDecorator('sessions') ? app.sessions.list({ limit: Number.MAX_SAFE_INTEGER }).sessions : []);
  const agents = () => (app.hasDecorator('sessions') ? app.sessions.agents().map((a) => a.name) : []);
  new Gauge({
    name: 'aegis_sessions', help: 'Sessions by state and agent', labelNames: ['state', 'agent'], registers: [register],
    collect() {
      this.reset();
      for (const agent of agents()) for (const state of SESSION_STATES) this.set({ state, agent }, 0);
      for (const v of views()) this.inc({ state: v.status, agent: v.agent });
    },
  });
  new Gauge({
    name: 'aegis_permission_prompts_waiting', help: 'Sessions waiting in permission_prompt for an answer', registers: [register],
    collect() { this.set(views().filter((v) => v.status === 'permission_prompt').length); },
  });
  new Gauge({
    name: 'aegis_permission_oldest_wait_seconds', help: 'How long the longest-waiting permission prompt has waited (0 when none)', registers: [register],
    collect() {
      const now = Date.now();
      let oldest = 0;
      for (const v of views()) {
        if (v.status !== 'permission_prompt') continue;
        const since = app.sessions.record(v.id)?.metrics?.stateSince;
        if (since) oldest = Math.max(oldest, (now - Date.parse(since)) / 1000);
      }
      this.set(oldest);
    },
  });
  // Both process gauges come from one look at /proc per scrape (prom-client collects metrics concurrently).
  let scanning: Promise<Map<string, { count: number; rss: number }>> | undefined;
  const scan = () => scanning ??= (async () => {
    const byAgent = new Map(agents().map((a) => [a, { count: 0, rss: 0 }]));
    for (const v of views()) {
      if (v.status === 'exited' || v.pid === undefined) continue;
      const rss = await residentBytes(v.pid);
      if (rss === undefined) continue;
      const entry = byAgent.get(v.agent) ?? { count: 0, rss: 0 };
      entry.count++;
      entry.rss += rss;
      byAgent.set(v.agent, entry);
    }
    return byAgent;
  })().finally(() => setImmediate(() => { scanning = undefined; }));
  new Gauge({
    name: 'aegis_agent_processes', help: 'Running agent processes by agent', labelNames: ['agent'], registers: [register],
    async collect() {
      this.reset();
      for (const [agent, e] of await scan()) this.set({ agent }, e.count);
    },
  });
  new Gauge({
    name: 'aegis_agent_resident_memory_bytes', help: 'Resident memory of the running agent processes by agent (each agent\'s own process, not its children)',
    labelNames: ['agent'], registers: [register],
    async collect() {
      this.reset();
      for (const [agent, e] of await scan()) this.set({ agent }, e.rss);
    },
  });
}

/** Builds every Aegis metric on `register`. */
export function createInstruments(app: FastifyInstance, register: Registry, processMetrics: boolean): Instruments {
  if (processMetrics) collectDefaultMetrics({ register, prefix: 'aegis_' });
  sessionGauges(app, register);
  new Counter({
    name: 'aegis_acp_requests_total', help: 'JSON-RPC requests sent to ACP agents, by method and outcome', labelNames: ['method', 'outcome'], registers: [register],
    collect() {
      this.reset();
      for (const { method, outcome, count } of acpRequestCounts()) this.inc({ method, outcome }, count);
    },
  });
  const r = [register];
  return {
    httpDuration: new Histogram({ name: 'aegis_http_request_duration_seconds', help: 'HTTP request duration by method, route template and status', labelNames: ['method', 'route', 'status_code'], buckets: SECONDS, registers: r }),
    sessionsCreated: new Counter({ name: 'aegis_sessions_created_total', help: 'Sessions created, by agent', labelNames: ['agent'], registers: r }),
    transitions: new Counter({ name: 'aegis_session_state_transitions_total', help: 'Session state changes, by from and to state', labelNames: ['from', 'to'], registers: r }),
    permissionWait: new Histogram({ name: 'aegis_permission_wait_seconds', help: 'Time a session waited in permission_prompt until the prompt was answered', labelNames: ['agent', 'decision'], buckets: WAITS, registers: r }),
    deliveryTime: new Histogram({ name: 'aegis_message_delivery_seconds', help: 'Time to deliver a message to an agent, by agent and whether it was delivered', labelNames: ['agent', 'delivered'], buckets: SECONDS, registers: r }),
    channelDeliveries: new Counter({ name: 'aegis_channel_deliveries_total', help: 'Notifications delivered, by channel', labelNames: ['channel'], registers: r }),
    channelFailures: new Counter({ name: 'aegis_channel_delivery_failures_total', help: 'Failed notification delivery attempts, by channel', labelNames: ['channel'], registers: r }),
    deadLetters: new Counter({ name: 'aegis_channel_dead_letters_total', help: 'Notifications given up on and dead-lettered, by channel', labelNames: ['channel'], registers: r }),
    sseConnections: new Gauge({
      name: 'aegis_sse_connections', help: 'Open Server-Sent Events streams', registers: r,
      // The sse plugin, when loaded, counts its open streams; read at scrape time.
      collect() {
        const sse = app.hasDecorator('sse') ? (app as unknown as { sse: { streams?: number } }).sse : undefined;
        this.set(typeof sse?.streams === 'number' ? sse.streams : 0);
      },
    }),
  };
}
