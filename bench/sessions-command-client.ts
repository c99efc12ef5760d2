/**
 * The HTTP side of bench/sessions-command: runs in its own process (forked by the bench), so the
 * latencies it measures are the server's, not those of a client sharing its event loop. Talks to
 * the bench over IPC: it asks the server side to wait until every session is idle between phases.
 */
import { performance } from 'node:perf_hooks';

/** What the client sends back at the end. */
export interface ClientResult {
  createConcMs: number[];
  getMs: number[];
  sendSeqMs: number[];
  sendConcMs: number[];
  deleteMs: number[];
  /** From the first DELETE until every session is exited (its process group gone). */
  deleteAllExitedMs: number;
  ids: string[];
  pids: number[];
}

type Msg = { type: 'idle' } | { type: 'start'; base: string; token: string; n: number; seq: number; rounds: number };

const nowMs = () => performance.timeOrigin + performance.now();
let idleResolve: (() => void) | undefined;

/**
 * Asks the server side, which watches the event bus, to answer once all `n` sessions are idle
 * (`wait-idle`), or once `n` more working -> idle turns have completed (`wait-turns`).
 */
function waitFor(type: 'wait-idle' | 'wait-turns' | 'phase-conc', n: number): Promise<void> {
  return new Promise((resolve) => {
    idleResolve = resolve;
    process.send!({ type, n });
  });
}

async function run(base: string, token: string, n: number, seq: number, rounds: number): Promise<ClientResult> {
  const auth = { authorization: `Bearer ${token}` };
  const call = async (method: string, path: string, body?: unknown) => {
    const t0 = nowMs();
    const res = body === undefined
      ? await fetch(base + path, { method, headers: auth })
      : await fetch(base + path, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json() as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return { json, ms: nowMs() - t0 };
  };
  const r: ClientResult = { createConcMs: [], getMs: [], sendSeqMs: [], sendConcMs: [], deleteMs: [], deleteAllExitedMs: NaN, ids: [], pids: [] };
  const create = async (into: number[]) => {
    const c = await call('POST', '/v1/sessions', { workDir: process.env.BENCH_WORK, agent: 'command', reuse: false });
    into.push(c.ms);
    r.ids.push(c.json.id as string);
    r.pids.push(c.json.pid as number);
  };
  // Every session at once: the burst an orchestrator causes when it fans a job out.
  await Promise.all(Array.from({ length: n }, () => create(r.createConcMs)));
  await waitFor('wait-idle', n);

  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < 3000) { const i = next++; r.getMs.push((await call('GET', `/v1/sessions/${r.ids[i % n]}`)).ms); }
  }));

  // One session at a time, then every session at once.
  for (let i = 0; i < seq; i++) {
    r.sendSeqMs.push((await call('POST', `/v1/sessions/${r.ids[i]}/send`, { text: `s${i}` })).ms);
    await waitFor('wait-turns', 1);
  }
  await waitFor('phase-conc', 0);
  for (let round = 0; round < rounds; round++) {
    await Promise.all(r.ids.map(async (id) => r.sendConcMs.push((await call('POST', `/v1/sessions/${id}/send`, { text: `r${round}` })).ms)));
    await waitFor('wait-turns', n);
  }
  const t0 = nowMs();
  r.deleteMs = (await Promise.all(r.ids.map((id) => call('DELETE', `/v1/sessions/${id}`)))).map((d) => d.ms);
  // DELETE answers with the session ending; a second DELETE with wait=true joins that kill and
  // answers once the process group is gone, so "nothing left" below is checked after the end.
  await Promise.all(r.ids.map((id) => call('DELETE', `/v1/sessions/${id}?wait=true`)));
  r.deleteAllExitedMs = nowMs() - t0;
  return r;
}

process.on('message', (msg: Msg) => {
  if (msg.type === 'idle') { idleResolve?.(); return; }
  run(msg.base, msg.token, msg.n, msg.seq, msg.rounds).then(
    (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
    (err: Error) => process.send!({ type: 'error', message: err.message }, () => process.exit(1)),
  );
});
