import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leastPrivilegeYes } from './dialogs.js';
import { optionKind } from './screen/options.js';
import { readScreen } from './screen/read.js';
import type { SessionState } from '../sessions/index.js';

// Every supported release's recorded screens (fixtures/<version>/), read from the source tree.
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', '..', '..', 'plugins', 'claude-code', 'fixtures');
const VERSIONS = readdirSync(FIXTURES).filter((d) => /^\d+\.\d+\.\d+$/.test(d)).sort();

/** The state a screen of this name shows, in any release: the name says what was recorded. */
function expected(name: string): SessionState | undefined {
  const rules: Array<[RegExp, SessionState | undefined]> = [
    [/^(permission-|trust|bypass-|api-key-)/, 'permission_prompt'],
    [/^ask-question/, 'ask_question'],
    [/^plan-approval/, 'plan_mode'],
    [/^(working|api-retrying)/, 'working'],
    [/^api-error-429/, 'rate_limit'],
    [/^api-error/, 'error'],
    [/^exited/, 'exited'],
    [/^onboarding/, 'starting'],
    [/^(idle|after-turn|interrupted|rejected|resumed|plan-approved|paste-|ctrl-c)/, 'idle'],
  ];
  return rules.find(([re]) => re.test(name))?.[1];
}

t.test('the fixtures hold at least the oldest and the newest supported release', async (t) => {
  t.ok(VERSIONS.length >= 2, VERSIONS.join(', '));
});

for (const version of VERSIONS) {
  const dir = join(FIXTURES, version);
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  const read = (f: string) => readScreen(readFileSync(join(dir, f), 'utf8').split('\n'));

  t.test(`${version}: every recorded screen reads as the state its name says`, async (t) => {
    for (const f of files) t.equal(read(f).state, expected(f), f);
  });

  t.test(`${version}: every dialog is recognised and every option classified`, async (t) => {
    for (const f of files) {
      const r = read(f);
      if (r.state === 'permission_prompt' || r.state === 'plan_mode') {
        t.ok(r.pendingPermission, `${f}: a pending permission`);
        for (const o of r.pendingPermission?.options ?? []) t.not(o.kind, 'other', `${f}: ${o.number}. ${o.label} has a meaning`);
      }
      if (r.state === 'ask_question') t.ok(r.pendingQuestion?.options.length, `${f}: the question's options`);
    }
  });

  t.test(`${version}: approve's default pick is a plain allow-once, never a mode switch`, async (t) => {
    for (const f of files) {
      const p = read(f).pendingPermission;
      if (!p || f.includes('feedback')) continue;
      const pick = p.options.find((o) => o.number === leastPrivilegeYes(p));
      t.equal(pick?.kind, 'allow_once', `${f}: ${pick?.label}`);
    }
  });
}

t.test('option kinds are read from the wording of either release', async (t) => {
  const cases: Array<[string, 'tool' | 'plan', string]> = [
    ['Yes', 'tool', 'allow_once'],
    ['Yes, and don’t ask again for: node *', 'tool', 'allow_always'],
    ['Yes, and always allow access to tmp/ from this project', 'tool', 'allow_always'],
    ['Yes, allow all edits during this session (shift+tab)', 'tool', 'mode_switch'],
    ['Yes, and switch to auto mode · auto mode handles these prompts for you', 'tool', 'mode_switch'],
    ['Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session; Yes, and', 'tool', 'mode_switch'],
    ['No', 'tool', 'reject_once'],
    ['No, and tell Claude what to do differently', 'tool', 'reject_once'],
    ['Yes, and use auto mode', 'plan', 'mode_switch'],
    ['Yes, manually approve edits', 'plan', 'allow_once'],
    ['Yes, and switch to default (ask each time) for this session', 'plan', 'allow_once'],
    ['Yes', 'plan', 'allow_once'],
    ['Tell Claude what to change', 'plan', 'free_text'],
    ['Type something.', 'tool', 'free_text'],
  ];
  for (const [label, context, kind] of cases) t.equal(optionKind(label, context), kind, `${context}: ${label}`);
});
