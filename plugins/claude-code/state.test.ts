import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StateReport } from '../sessions/index.js';
import { readScreen, type ScreenRead } from './screen/read.js';
import { StateTracker } from './state.js';
import { FakeClock, settle } from '../../test/support/clock.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'plugins', 'claude-code', 'fixtures', '2.1.197');
const screen = (name: string) => readScreen(readFileSync(join(FIXTURES, `${name}.txt`), 'utf8').split('\n'));
const SETTLE = 40;

/** A tracker over a fake session: what is on screen is set by the test; reports are recorded. */
function rig(opts: { hooks?: boolean; gate?: (event: string, body: Record<string, unknown>) => Promise<void> | undefined } = {}) {
  const reports: StateReport[] = [];
  let current: StateReport = { state: 'starting', cause: 'created' };
  let shown: ScreenRead = readScreen([]);
  const sink = { report: (r: StateReport) => { reports.push(r); current = r; }, state: () => current };
  const clock = new FakeClock();
  const tracker = new StateTracker(sink, () => shown, { settleMs: SETTLE, hooks: opts.hooks ?? true }, clock, opts.gate);
  const show = (name: string) => { shown = screen(name); tracker.onScreen(shown); };
  const showLines = (lines: string[]) => { shown = readScreen(lines); tracker.onScreen(shown); };
  const states = () => reports.map((r) => `${r.state}:${r.cause}`);
  return { tracker, show, showLines, states, reports, current: () => current, clock };
}

t.test('the first idle box ends starting at once; a hooked turn is working until Stop', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('UserPromptSubmit', {});
  r.show('working');
  r.tracker.onHook('Stop', {});
  t.same(r.states(), ['idle:screen:box', 'working:hook:UserPromptSubmit', 'idle:hook:Stop']);
});

t.test('a spinner still drawn just after Stop is not believed unless it holds', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('UserPromptSubmit', {});
  r.tracker.onHook('Stop', {});
  r.show('working');
  t.equal(r.current().state, 'idle', 'the stale frame is held back');
  r.clock.advance(SETTLE - 1);
  t.equal(r.current().state, 'idle', 'not before the settle time');
  r.show('after-turn');
  r.clock.advance(SETTLE * 3);
  t.equal(r.current().state, 'idle', 'and never reported once the screen caught up');
  r.show('working');
  r.clock.advance(SETTLE * 3);
  t.equal(r.current().state, 'working', 'a spinner that stays is a new turn');
});

t.test('in a hooked turn an idle box must hold; a visible end of turn is taken at once', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'sleep 1' } });
  r.show('idle');
  t.equal(r.current().state, 'working', 'a gap between tools is not idle');
  r.clock.advance(SETTLE - 1);
  t.equal(r.current().state, 'working', 'not even just before the settle time');
  r.clock.advance(1);
  t.equal(r.current().state, 'idle', 'but it is once it held');

  const q = rig();
  q.show('idle');
  q.tracker.onHook('UserPromptSubmit', {});
  q.show('working');
  q.clock.advance(SETTLE * 2);
  q.show('interrupted');
  t.same(q.states().slice(-1), ['idle:screen:interrupted'], 'Interrupted ends the turn without waiting');
});

t.test('dialogs are reported at once and name the exact tool input from PreToolUse', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'echo hi > out.txt', description: 'Write hi to out.txt' } });
  r.show('permission-bash');
  const last = r.reports.at(-1)!;
  t.match(last, { state: 'permission_prompt', cause: 'screen:permission', pendingPermission: { tool: 'Bash', detail: 'echo hi > out.txt' } });
  r.tracker.onHook('PostToolUse', {});
  t.equal(r.current().state, 'permission_prompt', 'no hook outranks a dialog on screen');
  r.show('working');
  t.equal(r.current().state, 'working');
  t.equal(r.current().pendingPermission, undefined, 'the permission is gone with the dialog');
});

t.test('StopFailure is error, or rate_limit for a rate limit', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('StopFailure', { error: 'server_error' });
  t.equal(r.current().state, 'error');
  r.tracker.onHook('StopFailure', { error: 'rate_limit' });
  t.equal(r.current().state, 'rate_limit');
});

t.test('the end of a turn waits for the transcript gate, and is dropped if a new turn starts first', async (t) => {
  let open!: () => void;
  const r = rig({ gate: () => new Promise<void>((resolve) => { open = resolve; }) });
  r.show('idle');
  r.tracker.onHook('UserPromptSubmit', {});
  r.tracker.onHook('Stop', { last_assistant_message: 'hi' });
  r.show('after-turn');
  t.equal(r.current().state, 'working', 'held while the transcript lags');
  open();
  await settle();
  t.same(r.states().slice(-1), ['idle:hook:Stop']);

  r.tracker.onHook('UserPromptSubmit', {});
  r.show('working');
  const mark = r.reports.length;
  r.tracker.onHook('Stop', { last_assistant_message: 'first' });
  const stale = open;
  r.tracker.onHook('UserPromptSubmit', {});
  t.equal(r.current().state, 'working', 'the next turn started while the end of this one was held');
  stale();
  await settle();
  r.clock.advance(SETTLE * 3);
  t.equal(r.current().state, 'working', 'the held end is dropped, not reported over the running turn');
  t.same(r.states().slice(mark), [], 'no idle in between');
});

t.test('without hooks a turn end seen on screen waits for the transcript too; a dialog is never held', async (t) => {
  let open!: () => void;
  const asked: string[] = [];
  const r = rig({ hooks: false, gate: (event) => { asked.push(event); return new Promise<void>((resolve) => { open = resolve; }); } });
  r.show('idle');
  r.show('working');
  r.show('after-turn');
  t.equal(r.current().state, 'working', 'held');
  t.same(asked, ['screen']);
  open();
  await settle();
  t.same(r.states().slice(-1), ['idle:screen:done']);
  r.show('working');
  r.show('after-turn');
  r.show('permission-bash');
  open();
  await settle();
  t.equal(r.current().state, 'permission_prompt', 'the held end does not override a dialog');
});

t.test('without hooks the screen is reported as it is; a box right after work must hold unless the turn visibly ended', async (t) => {
  const r = rig({ hooks: false });
  r.show('idle');
  r.show('working');
  r.show('idle');
  t.same(r.states(), ['idle:screen:box', 'working:screen:spinner'], 'a gap between two steps is not idle yet');
  r.show('working');
  r.show('idle');
  r.clock.advance(SETTLE - 1);
  t.equal(r.current().state, 'working');
  r.clock.advance(1);
  t.same(r.states(), ['idle:screen:box', 'working:screen:spinner', 'idle:screen:box'], 'a box that held is idle');
});

t.test('a PermissionRequest the screen cannot show still makes the state: tool, question or plan, without options', async (t) => {
  // A dialog in a layout no parser knows: no box, nothing recognised.
  const unknown = ['', ' Something new?', ' › Allow', '   Deny', ''];
  const r = rig();
  r.show('idle');
  r.tracker.onHook('UserPromptSubmit', {});
  r.tracker.onHook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'rm -rf build' } });
  r.tracker.onHook('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf build' } });
  r.showLines(unknown);
  r.clock.advance(SETTLE * 3);
  t.match(r.current(), { state: 'permission_prompt', cause: 'hook:PermissionRequest', pendingPermission: { kind: 'tool', tool: 'Bash', detail: 'rm -rf build', options: [] } });
  r.tracker.onHook('PostToolUse', {});
  t.equal(r.current().state, 'working', 'the tool ran: the turn goes on');

  const q = rig();
  q.show('idle');
  q.tracker.onHook('UserPromptSubmit', {});
  q.tracker.onHook('PermissionRequest', { tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Which?', header: 'Pick', options: [{ label: 'A', description: 'a' }, { label: 'B' }] }] } });
  q.showLines(unknown);
  q.clock.advance(SETTLE * 3);
  t.match(q.current(), { state: 'ask_question', pendingQuestion: { question: 'Which?', header: 'Pick', options: [{ number: 1, label: 'A', description: 'a' }, { number: 2, label: 'B' }] } });
});

t.test('a PermissionRequest is left to the screen when it draws a dialog it can read', async (t) => {
  const r = rig();
  r.show('idle');
  r.tracker.onHook('UserPromptSubmit', {});
  r.tracker.onHook('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'echo hi > out.txt' } });
  r.show('permission-bash');
  r.clock.advance(SETTLE * 3);
  t.equal(r.current().cause, 'screen:permission');
  t.equal(r.reports.filter((x) => x.cause === 'hook:PermissionRequest').length, 0, 'no option-less prompt was reported');
});
