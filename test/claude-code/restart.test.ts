import t from 'tap';
import { rm } from 'node:fs/promises';
import { reply, promptTexts } from '../support/model-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_TOKEN } from '../support/app.js';
import { processGone, waitGone } from '../support/process.js';
import { pollUntil } from '../support/wait.js';
import { makeWorld, scratch, STATE_MS, turn } from './world.js';

const world = await makeWorld(t, 2);
t.jobs = 2;

/** The real `node dist/server.js`, with the sandbox in its environment so its agents inherit it. */
function server(stateDir: string): Promise<ServerProcess> {
  return startServer({ stateDir, env: { ...world.sandbox.env, AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_LOG_LEVEL: 'info' }, timeoutMs: STATE_MS });
}

function api(s: ServerProcess) {
  return async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await fetch(s.url + path, {
      method, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() as any };
  };
}

/**
 * Waits for a session of a separate server process to reach `status`. That process's events are
 * not ours to subscribe to (no event stream plugin yet), so this asks at a short interval, bounded.
 */
async function waitStatus(call: ReturnType<typeof api>, id: string, status: string, ms = STATE_MS) {
  let last: any;
  const reached = async () => {
    last = (await call('GET', `/v1/sessions/${id}`)).json;
    return last.status === status;
  };
  if (await pollUntil(reached, ms, 100)) return last;
  throw new Error(`session ${id} not ${status} within ${ms} ms: ${JSON.stringify(last)}`);
}

const cases = [
  { signal: 'SIGTERM' as const, work: world.trusted[0]!, tag: 'term',
    name: 'after SIGTERM and a restart on the same state dir, the session resumes: same id, old messages, next message answered' },
  { signal: 'SIGKILL' as const, work: world.trusted[1]!, tag: 'kill',
    name: 'after kill -9 of the server, the restarted server ends the orphan and resumes the session the same way' },
];

for (const { signal, work, tag, name } of cases) {
  t.test(name, { buffered: true }, async (t) => {
    const stateDir = await scratch('aegis-cc-restart-');
    t.teardown(() => rm(stateDir, { recursive: true, force: true }));
    const first = `restart ${tag}: remember pineapple`;
    world.conversations.script(first, [reply.text('I will remember pineapple.'), reply.text('You said pineapple.')]);

    const one = await server(stateDir);
    t.teardown(() => one.stop('SIGKILL'));
    const call1 = api(one);
    const created = await call1('POST', '/v1/sessions', { workDir: work, prompt: first });
    t.equal(created.status, 201);
    const { id, pid, agentSessionId } = created.json;
    await turn(world, first, 1);
    await waitStatus(call1, id, 'idle');
    // One without a conversation: the CLI writes its file with the first message, so there is none to resume.
    const empty = (await call1('POST', '/v1/sessions', { workDir: work, reuse: false })).json;
    await waitStatus(call1, empty.id, 'idle');

    await one.stop(signal);
    if (signal === 'SIGTERM') t.ok(await waitGone(pid), 'a clean shutdown stops the agent');

    const two = await server(stateDir);
    t.teardown(() => two.stop('SIGKILL'));
    const call2 = api(two);
    t.ok(await waitGone(pid), 'the old agent is gone (ended by the new server when it was an orphan)');
    const back = await waitStatus(call2, id, 'idle');
    t.match(back, { id, agentSessionId, restarts: 1 });
    t.not(back.pid, pid);
    t.ok(!processGone(back.pid), 'a new agent runs for the same session');
    const before = (await call2('GET', `/v1/sessions/${id}/transcript`)).json.entries.map((e: any) => [e.role, e.text]);
    t.same(before, [['user', first], ['assistant', 'I will remember pineapple.']], 'the old messages are still there');

    t.equal((await call2('POST', `/v1/sessions/${id}/send`, { text: 'what did I say?' })).json.delivered, true);
    const next = await turn(world, first, 2);
    t.same(promptTexts(next.body), [first, 'what did I say?'], 'the model gets the earlier conversation with the new message');
    t.match(JSON.stringify(next.body.messages), /I will remember pineapple\./);
    await waitStatus(call2, id, 'idle');
    const after = (await call2('GET', `/v1/sessions/${id}/transcript`)).json.entries.map((e: any) => e.text);
    t.same(after.slice(-2), ['what did I say?', 'You said pineapple.']);

    const fresh = await waitStatus(call2, empty.id, 'idle');
    t.not(fresh.agentSessionId, empty.agentSessionId, 'nothing to resume: a new conversation id');
    t.match(fresh.reason, /no conversation found/);
    t.equal((await two.stop()).code, 0);
  });
}
