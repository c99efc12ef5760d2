import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { bearer } from '../../test/support/app.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { parseExposition } from '../../test/support/prom-text.js';
import { CAT, testApp } from './test-helpers.js';

/** Every aegis_* series name a PromQL text uses. */
const seriesIn = (expr: string) => [...expr.matchAll(/\baegis_[a-z0-9_]+/g)].map((m) => m[0]);

async function exportedNames(t: Parameters<typeof testApp>[0]): Promise<Set<string>> {
  const app = await testApp(t, { plugins: { metrics: {}, ...CAT } });
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer() });
  const names = new Set<string>();
  for (const f of parseExposition(res.body).values()) {
    names.add(f.name);
    if (f.type === 'histogram') for (const suf of ['_bucket', '_sum', '_count']) names.add(f.name + suf);
  }
  return names;
}

t.test('the Grafana board and the alert rules use only series the server exports', async (t) => {
  const names = await exportedNames(t);
  const board = JSON.parse(await readFile(join(REPO_ROOT, 'deploy', 'grafana', 'aegis.json'), 'utf8'));
  const exprs: string[] = board.panels.flatMap((p: { targets?: Array<{ expr: string }> }) => (p.targets ?? []).map((x) => x.expr));
  t.ok(exprs.length >= 20, 'the board has its queries');
  const rules = parse(await readFile(join(REPO_ROOT, 'deploy', 'prometheus', 'aegis-rules.yaml'), 'utf8'));
  const alerts = rules.groups.flatMap((g: { rules: Array<{ alert: string; expr: string }> }) => g.rules);
  t.same(alerts.map((a: { alert: string }) => a.alert).sort(), ['AegisApprovalsWaiting', 'AegisDeadLettersGrowing', 'AegisDown', 'AegisEventLoopLag']);
  for (const expr of [...exprs, ...alerts.map((a: { expr: string }) => a.expr)]) {
    for (const series of seriesIn(expr)) t.ok(names.has(series), `${series} is exported`);
  }
  const approvals = alerts.find((a: { alert: string }) => a.alert === 'AegisApprovalsWaiting');
  t.match(approvals.expr, /aegis_permission_oldest_wait_seconds > 600/, 'approvals waiting means more than 10 minutes');
  for (const title of ['Sessions', 'Latency', 'Approvals', 'Channel health']) {
    t.ok(board.panels.some((p: { type: string; title: string }) => p.type === 'row' && p.title === title), `the board has a ${title} row`);
  }
});
