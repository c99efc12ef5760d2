import t from 'tap';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDuration } from './retention.js';
import { cleanup, makeApp, waitState } from './test-helpers.js';

t.test('durations take milliseconds or a unit', async (t) => {
  t.equal(parseDuration(90_000), 90_000);
  t.equal(parseDuration('30m'), 1_800_000);
  t.equal(parseDuration('7d'), 604_800_000);
  t.throws(() => parseDuration('soon'));
});

t.test('ended sessions past retainExited are removed with their files; recent and live ones stay', async (t) => {
  const first = await makeApp();
  t.teardown(() => cleanup(first.stateDir, first.work));
  const create = async () => (await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command', reuse: false })).json.id as string;
  const [old, recent, live] = [await create(), await create(), await create()];
  await waitState(first.app, live, 'idle');
  for (const id of [old, recent]) await first.inject('DELETE', `/v1/sessions/${id}`);
  await first.app.close();
  // The old one ended two days ago.
  const file = join(first.stateDir, 'sessions', `${old}.json`);
  const rec = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...rec, updatedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() }));

  const purged: string[] = [];
  const second = await makeApp({ stateDir: first.stateDir, sessions: { retainExited: '1d' } });
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  const gone = new Promise<void>((resolve) => second.app.events.on('session.purged', (p) => { purged.push(p.sessionId); resolve(); }));
  await second.app.sessions.whenRestored();
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
  t.same(purged, [old]);
  t.equal((await second.inject('GET', `/v1/sessions/${old}`)).status, 404, 'the purged session is unknown now');
  for (const suffix of ['.json', '.transcript.jsonl', '.secret', '']) t.notOk(existsSync(join(first.stateDir, 'sessions', `${old}${suffix}`)), `${suffix || 'folder'} removed`);
  t.equal((await second.inject('GET', `/v1/sessions/${recent}`)).json.status, 'exited', 'a recently ended session stays');
  t.not((await second.inject('GET', `/v1/sessions/${live}`)).json.status, 'exited', 'a live session is never purged');
});

t.test('a retainExited that is not a duration stops the boot', async (t) => {
  await t.rejects(makeApp({ sessions: { retainExited: 'forever' } }), { code: 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID' });
});
