import t from 'tap';
import { encodeProjectDir as sandboxEncode } from '../../test/support/sandbox-home.js';
import { encodeProjectDir, hasConversation, sumUsage, toEntries, transcriptPath } from './transcript.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ sessionId: 's', timestamp: '2025-01-01T00:00:00.000Z', ...o });
const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_read_input_tokens: 1, cache_creation_input_tokens: 2 });

// Shaped like a real 2.1.197 file: metadata lines without uuid, the first prompt written after
// its answer, one response split over two lines that repeat its usage, a tool round trip, an
// API error, and a torn last line.
const FILE = [
  line({ type: 'permission-mode', permissionMode: 'default' }),
  line({ type: 'file-history-snapshot', messageId: 'x' }),
  line({ type: 'attachment', uuid: 'a1', parentUuid: 'u1' }),
  line({ type: 'assistant', uuid: 'b1', parentUuid: 'a1', message: { id: 'm1', role: 'assistant', content: [{ type: 'text', text: 'Hello!' }], usage: usage(10, 3) } }),
  line({ type: 'user', uuid: 'u1', parentUuid: null, message: { role: 'user', content: 'say hello' } }),
  line({ type: 'system', subtype: 'turn_duration', uuid: 's1', parentUuid: 'b1', durationMs: 5 }),
  line({ type: 'user', uuid: 'u2', parentUuid: 's1', message: { role: 'user', content: [{ type: 'text', text: 'run it' }] } }),
  line({ type: 'assistant', uuid: 'b2', parentUuid: 'u2', message: { id: 'm2', role: 'assistant', content: [{ type: 'text', text: 'Running.' }], usage: usage(20, 5) } }),
  line({ type: 'assistant', uuid: 'b3', parentUuid: 'b2', message: { id: 'm2', role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } }], usage: usage(20, 5) } }),
  line({ type: 'user', uuid: 'u3', parentUuid: 'b3', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'hi', is_error: false }] } }),
  line({ type: 'user', uuid: 'u4', parentUuid: 'u3', isMeta: true, message: { role: 'user', content: 'caveat' } }),
  line({ type: 'assistant', uuid: 'b4', parentUuid: 'u4', isApiErrorMessage: true, message: { id: 'e1', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text: 'API Error: 500 Internal server error' }], usage: usage(0, 0) } }),
  '{"type":"user","uuid":"torn","parentUuid":"b4","mess',
].join('\n');

t.test('the transcript follows the conversation, not the file order, and skips a torn last line', async (t) => {
  const entries = toEntries(FILE);
  t.same(entries.map((e) => [e.role, e.text]), [
    ['user', 'say hello'], ['assistant', 'Hello!'], ['user', 'run it'], ['assistant', 'Running.'],
    ['tool_use', 'echo hi'], ['tool_result', 'hi'], ['assistant', 'API Error: 500 Internal server error'],
  ]);
  t.same(entries.map((e) => e.index), [0, 1, 2, 3, 4, 5, 6]);
  t.equal(entries[0]!.id, 'u1', 'ids are the line uuids');
  t.match(entries[4], { id: 'b3', toolName: 'Bash', toolInput: { command: 'echo hi' } });
});

t.test('ids stay the same when the file grows', async (t) => {
  const before = toEntries(FILE).map((e) => e.id);
  const grown = FILE.replace(/\n[^\n]*$/, '\n') + line({ type: 'user', uuid: 'u5', parentUuid: 'b4', message: { role: 'user', content: 'next' } });
  const after = toEntries(grown).map((e) => e.id);
  t.same(after.slice(0, before.length), before);
  t.equal(after[after.length - 1], 'u5');
});

t.test('an abandoned branch (a rewind) is left out', async (t) => {
  const text = [
    line({ type: 'user', uuid: 'u1', parentUuid: null, message: { content: 'first' } }),
    line({ type: 'assistant', uuid: 'old', parentUuid: 'u1', message: { content: [{ type: 'text', text: 'old answer' }] } }),
    line({ type: 'assistant', uuid: 'new', parentUuid: 'u1', message: { content: [{ type: 'text', text: 'new answer' }] } }),
  ].join('\n');
  t.same(toEntries(text).map((e) => e.text), ['first', 'new answer']);
});

t.test('usage is summed once per API response, without synthetic error lines', async (t) => {
  t.same(sumUsage(FILE), { inputTokens: 30, outputTokens: 8, cacheReadTokens: 2, cacheCreationTokens: 4 });
  t.same(sumUsage(''), { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 });
});

t.test('a file with only metadata holds no conversation to resume', async (t) => {
  t.notOk(hasConversation(''));
  t.notOk(hasConversation(line({ type: 'file-history-snapshot' })));
  t.ok(hasConversation(FILE));
});

t.test('project folders are encoded as the CLI does, long paths with a hash suffix', async (t) => {
  t.equal(encodeProjectDir('/tmp/My Proj_v2.x-é'), '-tmp-My-Proj-v2-x--');
  const long = '/srv/' + 'deep/'.repeat(50) + 'project';
  t.equal(encodeProjectDir(long), sandboxEncode(long));
  t.equal(encodeProjectDir(long).length > 200, true);
  t.equal(transcriptPath('/h/.claude', '/w/p', '0f8fad5b-d9cb-469f-a165-70867728950e'), '/h/.claude/projects/-w-p/0f8fad5b-d9cb-469f-a165-70867728950e.jsonl');
});

t.test('a conversation whose prompt line is not written yet is not rooted', async (t) => {
  const { chainRooted } = await import('./transcript.js');
  const answerOnly = line({ type: 'assistant', uuid: 'b1', parentUuid: 'u1', message: { content: [{ type: 'text', text: 'hi' }] } });
  t.notOk(chainRooted(answerOnly));
  t.ok(chainRooted(FILE));
  t.notOk(chainRooted(''));
});

t.test('a conversation id that is not a UUID never becomes a transcript path', async (t) => {
  for (const forged of ['../../x', '../../../etc/passwd', '--help', 'a'.repeat(5000), '']) {
    t.throws(() => transcriptPath('/data', '/work', forged), JSON.stringify(forged.slice(0, 20)));
  }
  t.match(transcriptPath('/data', '/work', '0f8fad5b-d9cb-469f-a165-70867728950e'), /\/data\/projects\/-work\/0f8fad5b-d9cb-469f-a165-70867728950e\.jsonl$/);
});
