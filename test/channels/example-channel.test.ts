import t from 'tap';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { buildTestApp } from '../support/app.js';
import { REPO_ROOT } from '../support/paths.js';
import { startReceiver } from '../support/receiver.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'notify-ntfy');

t.test('the out-of-tree ntfy channel loads by path from the plugins map and delivers through the notifications registry', async (t) => {
  const pkg = JSON.parse(await readFile(join(EXAMPLE, 'package.json'), 'utf8'));
  t.equal(pkg.main, 'index.js', 'it is its own package');
  t.ok((await readFile(join(EXAMPLE, 'index.js'), 'utf8')).split('\n').length < 60, 'under 60 lines');
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const app = await buildTestApp({ plugins: { [join(EXAMPLE, 'index.js')]: { url: rx.url + '/topic', events: ['permission.*'], allowPrivate: true } } });
  t.teardown(() => app.close());
  await app.ready();
  t.ok(app.hasPlugin('notifications'), 'its dependency was enabled for it');
  const delivered = app.events.once('notification.delivered', (p) => p.channel === 'ntfy');
  app.events.emit('permission.requested', {
    sessionId: 's1', at: new Date().toISOString(),
    permission: { kind: 'tool', tool: 'Bash', detail: 'curl -H "Authorization: Bearer abcdefghijkl" x', options: [] },
  });
  const got = await rx.waitFor(() => true);
  await delivered;
  t.equal(got.headers.title, 'permission.requested');
  t.equal(got.body, 's1: curl -H "Authorization: Bearer [REDACTED]" x', 'the payload was scrubbed before the channel saw it');
});

t.test('the example\'s options are validated like a first-party plugin\'s', async (t) => {
  await t.rejects(buildTestApp({ plugins: { [join(EXAMPLE, 'index.js')]: { url: 'ftp://x' } } }), { code: 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID' });
});
