import t from 'tap';
import {
  startModelServer,
  reply,
  isConversationTurn,
  findPlanFile,
  promptTexts,
  toolResults,
  type ModelServer,
} from './model-server.js';

interface SseEvent {
  event: string;
  data: any;
}

/** Parse a text/event-stream body into {event, data} records. */
function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const frame of text.split('\n\n')) {
    if (!frame.trim()) continue;
    let event = '';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    out.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return out;
}

/** Rebuild the assistant content blocks from a stream, as an SDK would. */
function assemble(events: SseEvent[]): { content: any[]; stopReason: string | null; outputTokens: number } {
  const content: any[] = [];
  const partialJson: string[] = [];
  let stopReason: string | null = null;
  let outputTokens = 0;
  for (const { data } of events) {
    if (data.type === 'content_block_start') {
      content[data.index] = { ...data.content_block };
      partialJson[data.index] = '';
    } else if (data.type === 'content_block_delta') {
      if (data.delta.type === 'text_delta') content[data.index].text += data.delta.text;
      else if (data.delta.type === 'input_json_delta') partialJson[data.index] += data.delta.partial_json;
    } else if (data.type === 'content_block_stop') {
      const block = content[data.index];
      if (block.type === 'tool_use') block.input = JSON.parse(partialJson[data.index] || '{}');
    } else if (data.type === 'message_delta') {
      stopReason = data.delta.stop_reason;
      outputTokens = data.usage.output_tokens;
    }
  }
  return { content, stopReason, outputTokens };
}

/** A request body shaped like a Claude Code main-loop turn. */
function turnBody(userText: string, extra: Record<string, unknown> = {}) {
  return {
    model: 'claude-opus-4-8',
    max_tokens: 64000,
    stream: true,
    system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
    tools: [
      { name: 'Bash', input_schema: { type: 'object' } },
      { name: 'Write', input_schema: { type: 'object' } },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>\ncontext\n</system-reminder>\n' },
          { type: 'text', text: userText },
        ],
      },
    ],
    ...extra,
  };
}

async function post(model: ModelServer, body: unknown, path = '/v1/messages?beta=true'): Promise<Response> {
  return fetch(model.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
    body: JSON.stringify(body),
  });
}

t.test('a scripted text reply streams as message_start, text deltas, message_delta and message_stop', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.text('hello from the fake model', { chunkSize: 5 })]);

  const res = await post(model, turnBody('say hello'));
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/event-stream/);
  const events = parseSse(await res.text());

  t.same(
    events.map((e) => e.event),
    [
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
  );
  t.equal(events[0]!.data.message.role, 'assistant');
  t.equal(events[0]!.data.message.model, 'claude-opus-4-8');
  const msg = assemble(events);
  t.same(msg.content, [{ type: 'text', text: 'hello from the fake model' }]);
  t.equal(msg.stopReason, 'end_turn');
  t.ok(msg.outputTokens > 0, 'usage.output_tokens is reported');
  t.equal(model.pending, 0, 'the scripted reply was consumed');
});

t.test('a scripted Bash call streams a tool_use block whose input_json_delta parts rebuild the input', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.bash('echo hi > out.txt', 'Write hi to out.txt', { text: 'Running it now.' })]);

  const events = parseSse(await (await post(model, turnBody('run it'))).text());
  const msg = assemble(events);

  t.equal(msg.stopReason, 'tool_use');
  t.equal(msg.content.length, 2);
  t.same(msg.content[0], { type: 'text', text: 'Running it now.' });
  t.equal(msg.content[1].type, 'tool_use');
  t.equal(msg.content[1].name, 'Bash');
  t.match(msg.content[1].id, /^toolu_[0-9a-f]{24}$/);
  t.same(msg.content[1].input, { command: 'echo hi > out.txt', description: 'Write hi to out.txt' });
  t.ok(
    events.filter((e) => e.data.delta?.type === 'input_json_delta').length >= 1,
    'tool input is sent as input_json_delta chunks',
  );
});

t.test('a non-streaming request gets the whole message as one JSON body', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.write('/tmp/x/file.txt', 'content\n')]);

  const res = await post(model, turnBody('write', { stream: false }));
  const json: any = await res.json();
  t.equal(res.status, 200);
  t.equal(json.type, 'message');
  t.equal(json.stop_reason, 'tool_use');
  t.equal(json.content[0].name, 'Write');
  t.same(json.content[0].input, { file_path: '/tmp/x/file.txt', content: 'content\n' });
  t.ok(json.usage.input_tokens > 0);
});

t.test('side requests get generic text and leave the script for the conversation', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.text('scripted answer')]);

  const classifier = await post(model, {
    model: 'claude-opus-4-8',
    max_tokens: 64,
    system: [{ type: 'text', text: 'You are a security monitor for autonomous AI coding agents. Output <block>no</block>' }],
    messages: [{ role: 'user', content: 'Bash ls' }],
    stop_sequences: ['</block>'],
  });
  const verdict: any = await classifier.json();
  t.equal(verdict.content[0].text, '<block>no</block>', 'auto-mode classifier is told to allow');

  const title = await post(model, {
    model: 'claude-haiku',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'fix the bug' }],
    output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } } } } },
  });
  const titleJson: any = await title.json();
  t.same(JSON.parse(titleJson.content[0].text), { title: 'Test session' });

  const fork = await post(model, turnBody('[SUGGESTION MODE: Suggest what the user might naturally type next]'));
  t.same(assemble(parseSse(await fork.text())).content, [{ type: 'text', text: 'ok' }]);

  t.equal(model.pending, 1, 'no side request consumed the scripted reply');
  const turn = assemble(parseSse(await (await post(model, turnBody('real question'))).text()));
  t.same(turn.content, [{ type: 'text', text: 'scripted answer' }]);
  t.same(
    model.requests.map((r) => r.kind),
    ['side', 'side', 'side', 'turn'],
  );
});

t.test('an empty script answers turns with the default reply', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  const first = assemble(parseSse(await (await post(model, turnBody('anything'))).text()));
  t.same(first.content, [{ type: 'text', text: 'ok' }]);
  model.setDefaultReply(reply.text('changed default'));
  const second = assemble(parseSse(await (await post(model, turnBody('again'))).text()));
  t.same(second.content, [{ type: 'text', text: 'changed default' }]);
});

t.test('apiError answers with the Anthropic error envelope, repeated `times` turns', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.apiError(529, 'overloaded_error', undefined, { times: 2 }), reply.text('recovered')]);

  for (let i = 0; i < 2; i++) {
    const res = await post(model, turnBody('try'));
    t.equal(res.status, 529);
    t.same(await res.json(), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  }
  const ok = assemble(parseSse(await (await post(model, turnBody('try'))).text()));
  t.same(ok.content, [{ type: 'text', text: 'recovered' }]);
});

t.test('slowText spaces its chunks by chunkDelayMs', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.slowText('abcdefgh', { chunkDelayMs: 60, chunkSize: 2 })]);
  const started = Date.now();
  const msg = assemble(parseSse(await (await post(model, turnBody('slow'))).text()));
  const took = Date.now() - started;
  t.same(msg.content, [{ type: 'text', text: 'abcdefgh' }]);
  t.ok(took >= 4 * 60 - 20, `4 chunks took ${took}ms`);
});

t.test('exitPlanMode writes the plan file the request names, then calls ExitPlanMode on the next turn', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.exitPlanMode('# Plan\n1. do it'), reply.text('after plan')]);
  const body = turnBody('plan it');
  body.messages[0]!.content.unshift({
    type: 'text',
    text: '<system-reminder>No plan file exists yet. You should create your plan at /h/.claude/plans/plan-it-brave-otter.md using the Write tool.</system-reminder>',
  });
  t.equal(findPlanFile(body), '/h/.claude/plans/plan-it-brave-otter.md');
  const names = async () =>
    assemble(parseSse(await (await post(model, body)).text())).content.map((b) => [b.name ?? b.type, b.input ?? b.text]);
  t.same(await names(), [['Write', { file_path: '/h/.claude/plans/plan-it-brave-otter.md', content: '# Plan\n1. do it' }]]);
  t.same(await names(), [['ExitPlanMode', { plan: '# Plan\n1. do it' }]]);
  t.same(await names(), [['text', 'after plan']]);
});

t.test('exitPlanMode without a plan file in the request only calls ExitPlanMode', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  model.script([reply.exitPlanMode('the plan')]);
  const msg = assemble(parseSse(await (await post(model, turnBody('plan it'))).text()));
  t.same(
    msg.content.map((b) => [b.name, b.input]),
    [['ExitPlanMode', { plan: 'the plan' }]],
  );
  t.equal(model.pending, 0);
});

t.test('requests are recorded and waitForRequest resolves for past and future matches', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  await post(model, turnBody('first prompt'));
  const past = await model.waitForRequest((r) => r.kind === 'turn', 100);
  t.same(promptTexts(past.body), ['first prompt'], 'system reminders are filtered out');

  const later = model.waitForRequest((r) => toolResults(r.body).length > 0, 2000);
  const withResult = turnBody('x');
  withResult.messages.push(
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] as any },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hi\n', is_error: false }] as any },
  );
  await post(model, withResult);
  const got = await later;
  t.same(toolResults(got.body), [{ tool_use_id: 'toolu_1', content: 'hi\n', is_error: false, text: 'hi\n' }]);
  t.equal(got.seq, 1);
  const second = await model.waitForTurn(2, 100);
  t.equal(second, got);

  await t.rejects(model.waitForRequest(() => false, 50), /no matching request within 50ms/);
});

t.test('count_tokens and unknown routes answer harmlessly and are recorded', async (t) => {
  const model = await startModelServer();
  t.teardown(() => model.close());
  const count: any = await (await post(model, turnBody('count me'), '/v1/messages/count_tokens?beta=true')).json();
  t.ok(count.input_tokens > 0);
  const head = await fetch(model.url + '/', { method: 'HEAD' });
  t.equal(head.status, 200);
  t.same(
    model.requests.map((r) => [r.kind, r.method, r.path]),
    [
      ['count_tokens', 'POST', '/v1/messages/count_tokens'],
      ['other', 'HEAD', '/'],
    ],
  );
});

t.test('isConversationTurn requires the agent tools and rejects forked helper prompts', async (t) => {
  t.equal(isConversationTurn(turnBody('hi')), true);
  t.equal(isConversationTurn(turnBody('hi', { stream: false })), true, 'non-streaming fallback of a turn');
  t.equal(isConversationTurn(turnBody('hi', { tools: [] })), false);
  t.equal(isConversationTurn(turnBody('The user stepped away and is coming back. Recap')), false);
});
