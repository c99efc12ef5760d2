import t from 'tap';
import type { PermissionOption, SessionUpdate } from '@agentclientprotocol/sdk';
import type { TokenUsage, TranscriptEntry } from '../sessions/index.js';
import { approveOutcome, rejectOutcome, toPendingPermission } from './permissions.js';
import { TurnRecorder } from './recorder.js';

function recorder() {
  const entries: Array<Omit<TranscriptEntry, 'id' | 'index'>> = [];
  const usage: Array<Partial<TokenUsage>> = [];
  const tools: string[] = [];
  const r = new TurnRecorder({ append: (e) => entries.push(...e), addUsage: (u) => usage.push(u), countToolCall: (n) => tools.push(n) });
  return { r, entries, usage, tools };
}

const chunk = (text: string): SessionUpdate => ({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });

t.test('message chunks of a turn become one assistant entry, closed by a tool call', async (t) => {
  const { r, entries, tools } = recorder();
  r.update(chunk('Hel'));
  r.update(chunk('lo'));
  r.update({ sessionUpdate: 'tool_call', toolCallId: 'c1', title: 'Terminal', kind: 'execute', status: 'pending', rawInput: {}, _meta: { claudeCode: { toolName: 'Bash' } } });
  t.same(entries.map((e) => [e.role, e.text]), [['assistant', 'Hello']], 'an announced call with no input waits for it');
  r.update({ sessionUpdate: 'tool_call_update', toolCallId: 'c1', title: 'ls -la', rawInput: { command: 'ls -la' } });
  r.update({ sessionUpdate: 'tool_call_update', toolCallId: 'c1', status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'total 0' } }] });
  r.update(chunk('done'));
  r.endTurn('end_turn', { inputTokens: 3, outputTokens: 2, cachedReadTokens: 1, cachedWriteTokens: 4 });
  t.same(entries.map((e) => [e.role, e.text, e.toolName]), [
    ['assistant', 'Hello', undefined],
    ['tool_use', 'ls -la', 'Bash'],
    ['tool_result', 'total 0', 'Bash'],
    ['assistant', 'done', undefined],
  ]);
  t.same(entries[1]!.toolInput, { command: 'ls -la' });
  t.same(tools, ['Bash'], 'each call is counted once');
});

t.test('thoughts, plans and stop reasons other than end_turn are system entries', async (t) => {
  const { r, entries } = recorder();
  r.update({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'hmm' } });
  r.update(chunk('answer'));
  r.update({ sessionUpdate: 'plan', entries: [{ content: 'a', priority: 'high', status: 'completed' }, { content: 'b', priority: 'low', status: 'pending' }] });
  r.endTurn('max_tokens');
  t.same(entries.map((e) => [e.role, e.text]), [
    ['system', 'Thinking: hmm'], ['assistant', 'answer'], ['system', 'Plan:\n[completed] a\n[pending] b'], ['system', 'Turn ended: max_tokens'],
  ]);
});

t.test('a call still unfinished at the end of the turn is written once, without a result', async (t) => {
  const { r, entries, tools } = recorder();
  r.update({ sessionUpdate: 'tool_call', toolCallId: 'c2', title: 'Read x', kind: 'read', status: 'pending' });
  r.endTurn('cancelled');
  r.endTurn();
  t.same(entries.map((e) => [e.role, e.toolName]), [['tool_use', 'read'], ['system', undefined]]);
  t.same(tools, ['read']);
});

t.test('prompt usage is added per turn; cumulative cost is added as the difference, and a drop restarts it', async (t) => {
  const { r, usage } = recorder();
  r.endTurn('end_turn', { inputTokens: 10, outputTokens: 5 });
  for (const amount of [0.05, 0.08, 0.08, 0.02]) r.update({ sessionUpdate: 'usage_update', used: 1, size: 2, cost: { amount, currency: 'USD' } });
  t.same(usage[0], { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 });
  t.same(usage.slice(1).map((u) => Number(u.costUsd!.toFixed(4))), [0.05, 0.03, 0.02]);
});

const options: PermissionOption[] = [
  { optionId: 'always', name: 'Always Allow', kind: 'allow_always' },
  { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
  { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
];

t.test('a permission request shows the tool, what it touches and the agent options numbered in order', async (t) => {
  const p = toPendingPermission({
    sessionId: 's', options,
    toolCall: { toolCallId: 'c', title: 'touch made.txt', kind: 'execute', rawInput: { command: 'touch made.txt' }, _meta: { claudeCode: { toolName: 'Bash' } } },
  });
  t.same(p, {
    kind: 'tool', tool: 'Bash', detail: 'touch made.txt',
    options: [
      { number: 1, label: 'Always Allow', id: 'always', kind: 'allow_always' },
      { number: 2, label: 'Allow', id: 'allow', kind: 'allow_once' },
      { number: 3, label: 'Reject', id: 'reject', kind: 'reject_once' },
    ],
  });
  t.equal(toPendingPermission({ sessionId: 's', options, toolCall: { toolCallId: 'd', kind: 'switch_mode', title: 'Ready to code?' } }).kind, 'plan');
});

t.test('approve picks allow once before allow always, or the given number; reject picks reject once or cancels', async (t) => {
  t.same(approveOutcome(options), { outcome: 'selected', optionId: 'allow' });
  t.same(approveOutcome(options.filter((o) => o.kind !== 'allow_once')), { outcome: 'selected', optionId: 'always' });
  t.same(approveOutcome(options, 1), { outcome: 'selected', optionId: 'always' });
  t.throws(() => approveOutcome([options[2]!]), { code: 'AEGIS_ERR_ACP_NO_ALLOW_OPTION' });
  t.same(rejectOutcome(options), { outcome: 'selected', optionId: 'reject' });
  t.same(rejectOutcome(options.slice(0, 2)), { outcome: 'cancelled' });
});
