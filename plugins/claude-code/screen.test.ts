import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptsInput, readScreen } from './screen/read.js';
import type { SessionState } from '../sessions/index.js';

// Fixtures stay in the source tree; tests run from dist/plugins/claude-code. These are the oldest
// supported release's screens, hand-recorded with every variant; screen-versions.test.ts covers all.
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', '..', '..', 'plugins', 'claude-code', 'fixtures', '2.1.197');
const screen = (name: string) => readScreen(readFileSync(join(FIXTURES, name), 'utf8').split('\n'));

/** Every fixture and the state its screen shows. */
const EXPECTED: Record<string, SessionState | undefined> = {
  'after-turn.txt': 'idle',
  'api-error-400.txt': 'error',
  'api-error-401.txt': 'error',
  'api-error-429.txt': 'rate_limit',
  'api-error-500.txt': 'error',
  'api-error.txt': 'error',
  'api-key-prompt.txt': 'permission_prompt',
  'api-retrying.txt': 'working',
  'ask-question-multi-first.txt': 'ask_question',
  'ask-question-multiselect.txt': 'ask_question',
  'ask-question-review.txt': 'ask_question',
  'ask-question-typing.txt': 'ask_question',
  'ask-question.txt': 'ask_question',
  'bypass-disclaimer.txt': 'permission_prompt',
  'ctrl-c-once.txt': 'idle',
  'exited.txt': 'exited',
  'idle-accept-edits.txt': 'idle',
  'idle-auto-mode.txt': 'idle',
  'idle-bypass.txt': 'idle',
  'idle-plan-mode.txt': 'idle',
  'idle.txt': 'idle',
  'interrupted.txt': 'idle',
  'onboarding-theme.txt': 'starting',
  'paste-big-pending.txt': 'idle',
  'paste-pending.txt': 'idle',
  'permission-bash-feedback.txt': 'permission_prompt',
  'permission-bash-prefix.txt': 'permission_prompt',
  'permission-bash.txt': 'permission_prompt',
  'permission-edit.txt': 'permission_prompt',
  'permission-write.txt': 'permission_prompt',
  'plan-approval-feedback.txt': 'plan_mode',
  'plan-approval-nofile.txt': 'plan_mode',
  'plan-approval.txt': 'plan_mode',
  'plan-approved.txt': 'idle',
  'rejected.txt': 'idle',
  'resumed.txt': 'idle',
  'trust.txt': 'permission_prompt',
  'working-queued.txt': 'working',
  'working-tool.txt': 'working',
  'working.txt': 'working',
};

t.test('every fixture screen reads as its expected state', async (t) => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();
  t.same(files, Object.keys(EXPECTED).sort(), 'the table covers every fixture file');
  for (const f of files) t.equal(screen(f).state, EXPECTED[f], f);
});

t.test('the end-of-turn line is not a spinner and the turn counts as ended', async (t) => {
  const r = screen('after-turn.txt');
  t.equal(r.cause, 'screen:done');
  t.equal(r.ended, true);
  t.ok(acceptsInput(r));
  t.equal(screen('interrupted.txt').cause, 'screen:interrupted');
  t.equal(screen('idle.txt').ended, false, 'a fresh idle box has no end marker');
});

t.test('a working screen is read from the spinner even when the footer shows hints', async (t) => {
  t.equal(screen('working-queued.txt').cause, 'screen:spinner');
  t.equal(screen('api-retrying.txt').cause, 'screen:api-retry');
  t.notOk(acceptsInput(screen('working.txt')));
});

t.test('a Bash permission prompt names the command and offers Yes, always and No', async (t) => {
  const p = screen('permission-bash.txt').pendingPermission!;
  t.match(p, { kind: 'tool', tool: 'Bash' });
  t.match(p.detail, /^echo hi > out\.txt/);
  t.same(p.options.map((o) => [o.number, o.kind]), [[1, 'allow_once'], [2, 'allow_always'], [3, 'reject_once']]);
  t.equal(screen('permission-bash-prefix.txt').pendingPermission!.options[1]!.label, 'Yes, and don’t ask again for: node *');
  t.equal(screen('permission-bash-feedback.txt').pendingPermission!.options[2]!.kind, 'reject_once');
});

t.test('Write and Edit prompts name the file', async (t) => {
  t.match(screen('permission-write.txt').pendingPermission, { tool: 'Write', detail: 'hello.txt' });
  t.match(screen('permission-edit.txt').pendingPermission, { tool: 'Edit', detail: 'hello.txt' });
});

t.test('the folder-trust dialog and the start-up gates are permission prompts of kind trust', async (t) => {
  t.match(screen('trust.txt').pendingPermission, { kind: 'trust', tool: 'trust', detail: '/tmp/study-work-OzUBB0' });
  t.same(screen('trust.txt').pendingPermission!.options.map((o) => o.label), ['Yes, I trust this folder', 'No, exit']);
  t.match(screen('bypass-disclaimer.txt').pendingPermission, { kind: 'trust', tool: 'bypassPermissions' });
  t.match(screen('api-key-prompt.txt').pendingPermission, { kind: 'trust', tool: 'apiKey' });
});

t.test('a question lists its real answers without the free-text and chat rows', async (t) => {
  const r = screen('ask-question.txt');
  t.same(r.pendingQuestion, {
    question: 'Which database should we use?', header: 'Database',
    options: [
      { number: 1, label: 'Postgres', description: 'Relational, battle tested' },
      { number: 2, label: 'SQLite', description: 'Embedded, zero config' },
      { number: 3, label: 'Redis', description: 'In-memory key value' },
    ],
  });
  t.equal(r.typeOption, 4);
  t.equal(screen('ask-question-typing.txt').typeOption, 3, 'the typed-into row is still the free-text row');
  t.same(screen('ask-question-typing.txt').pendingQuestion!.options.map((o) => o.label), ['Postgres', 'SQLite']);
  const multi = screen('ask-question-multiselect.txt').pendingQuestion!;
  t.equal(multi.multiSelect, true);
  t.same(multi.options.map((o) => o.label), ['Auth', 'Search', 'Export']);
  t.same(screen('ask-question-review.txt').pendingQuestion!.options.map((o) => o.label), ['Submit answers', 'Cancel']);
});

t.test('the plan menu carries the plan and its three choices', async (t) => {
  const p = screen('plan-approval.txt').pendingPermission!;
  t.match(p, { kind: 'plan', tool: 'ExitPlanMode', detail: 'Plan\n\n1. Create out.txt with hello\n2. Verify it exists' });
  t.same(p.options.map((o) => [o.label, o.kind]), [
    ['Yes, and use auto mode', 'mode_switch'], ['Yes, manually approve edits', 'allow_once'], ['Tell Claude what to change', 'free_text'],
  ]);
  t.match(screen('plan-approval-nofile.txt').pendingPermission, { kind: 'plan', detail: 'Claude wants to exit plan mode' });
});

t.test('API errors end the turn as error, a 429 as rate_limit, and both still take input', async (t) => {
  t.match(screen('api-error.txt'), { state: 'error', cause: 'screen:api-error' });
  t.ok(acceptsInput(screen('api-error-401.txt')));
  t.ok(acceptsInput(screen('api-error-429.txt')));
});

t.test('text waiting in the input box is read back as the box text', async (t) => {
  t.equal(screen('paste-pending.txt').box!.text, 'first line\nsecond line\nthird line');
  t.equal(screen('paste-big-pending.txt').box!.text, '[Pasted text #1 +30 lines]');
  t.equal(screen('idle.txt').box!.text, '');
});

t.test('a screen with no box and no dialog has no opinion', async (t) => {
  t.equal(readScreen(['', 'Loading…', '']).state, undefined);
  t.equal(readScreen([]).state, undefined);
});
