import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { reply, toolResults, type DynamicReply, type MessageReply } from '../support/model-server.js';
import { scratch } from '../claude-code/world.js';
import { AG, inState, makeCliWorld } from './cli-world.js';

// The MCP config is read when each Claude Code session starts, after the server's port is known.
const mcpDir = await scratch('aegis-mcp-config-');
const mcpConfig = join(mcpDir, 'mcp.json');
const cw = await makeCliWorld(t, 3, { args: ['--mcp-config', mcpConfig, '--allowedTools', 'mcp__aegis'] });
const { ag, world } = cw;

/** An API key of `role`, made with the master token through the CLI. */
async function key(role: string): Promise<{ id: string; key: string }> {
  const r = await ag(['keys', 'create', '--name', `mcp-${role}`, '--role', role, '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** `ag mcp` as an MCP client sees it, over stdio, with `token`. */
async function connect(t: { teardown(fn: () => unknown): void }, token: string) {
  const transport = new StdioClientTransport({
    command: process.execPath, args: [AG, 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: cw.env.HOME, AEGIS_BASE_URL: cw.server.url, AEGIS_AUTH_TOKEN: token },
    stderr: 'pipe',
  });
  const client = new McpClient({ name: 'aegis-test', version: '1.0.0' });
  await client.connect(transport);
  t.teardown(() => client.close());
  return client;
}

t.test('ag mcp lists the session tools with the API\'s schemas and answers with the caller\'s permissions', async (t) => {
  const viewer = await key('viewer');
  const client = await connect(t, viewer.key);
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name).sort(), ['approve_permission', 'create_session', 'get_session', 'list_sessions', 'read_transcript', 'reject_permission', 'send_message']);
  const create = tools.find((x) => x.name === 'create_session')!;
  t.same(create.inputSchema.required, ['workDir'], 'only what the API requires');
  t.match(create.inputSchema.properties, { workDir: { type: 'string', minLength: 1 }, prompt: { type: 'string' }, permissionMode: { anyOf: Array } });
  t.equal((create.inputSchema as { additionalProperties?: boolean }).additionalProperties, false);
  const read = tools.find((x) => x.name === 'read_transcript')!;
  t.same(read.inputSchema.required, ['id'], 'limit and offset default on the server');

  const listed = await client.callTool({ name: 'list_sessions', arguments: {} });
  t.notOk(listed.isError, 'a viewer may list');
  t.match(JSON.parse((listed.content as Array<{ text: string }>)[0].text), { sessions: Array, total: Number });
  const refused = await client.callTool({ name: 'create_session', arguments: { workDir: world.trusted[2], prompt: 'never' } });
  t.equal(refused.isError, true);
  t.match((refused.content as Array<{ text: string }>)[0].text, /^AEGIS_ERR_AUTH_FORBIDDEN \(HTTP 403\)/);
  const bad = await client.callTool({ name: 'get_session', arguments: { id: 'no-such' } });
  t.match((bad.content as Array<{ text: string }>)[0].text, /^AEGIS_ERR_SESSION_NOT_FOUND/);
});

t.test('Claude Code with `ag mcp` in its MCP config creates a second session and reads its reply', async (t) => {
  const operator = await key('operator');
  await writeFile(mcpConfig, JSON.stringify({
    mcpServers: { aegis: { type: 'stdio', command: process.execPath, args: [AG, 'mcp'], env: { AEGIS_BASE_URL: cw.server.url, AEGIS_AUTH_TOKEN: operator.key } } },
  }));
  const lead = 'mcp: ask a helper for six times seven';
  const helper = 'mcp helper: what is six times seven?';
  world.conversations.script(helper, [reply.text('the answer is 42')]);

  // The lead agent's "model": waits for the MCP server if its tools are not offered yet, creates
  // the helper, then reads the helper's transcript until its answer is there (all bounded).
  let steps = 0;
  let offered = false;
  let createdText = '';
  const driver: DynamicReply = {
    kind: 'dynamic',
    build(req) {
      const names = (req.body.tools as Array<{ name: string }>).map((x) => x.name);
      offered ||= names.includes('mcp__aegis__create_session') && names.includes('mcp__aegis__read_transcript');
      const results = toolResults(req.body);
      const last = results.at(-1)?.text ?? '';
      createdText ||= results.map((r) => r.text).find((x) => /"workDir"/.test(x) && /"id"/.test(x)) ?? '';
      let r: MessageReply;
      if (++steps > 40) r = reply.text('the helper says: nothing');
      else if (!createdText) {
        r = names.includes('mcp__aegis__create_session')
          ? reply.toolUse('mcp__aegis__create_session', { workDir: world.trusted[1], prompt: helper, reuse: false })
          : reply.toolUse('WaitForMcpServers', { servers: ['aegis'] });
      } else if (/the answer is 42/.test(last)) r = reply.text('the helper says: 42');
      else r = reply.toolUse('mcp__aegis__read_transcript', { id: JSON.parse(createdText).id, role: 'assistant' });
      return r.stopReason === 'tool_use' ? [r, driver] : r;
    },
  };
  world.conversations.script(lead, [driver]);

  const created = await ag(['create', lead, '--cwd', world.trusted[0]!, '--json']);
  t.equal(created.code, 0, created.stderr);
  const leadId = JSON.parse(created.stdout).id;

  const done = await cw.tailUntil(leadId, (l) => l.type === 'transcript' && l.entry.role === 'assistant' && /the helper says/.test(l.entry.text));
  t.match(done.entry.text, /the helper says: 42/);
  await cw.tailUntil(leadId, inState('idle'));

  const all = JSON.parse((await ag(['ls', '--json'])).stdout).sessions as Array<{ id: string; workDir: string; owner: { principalId: string } }>;
  const second = all.find((s) => s.workDir === world.trusted[1]);
  t.ok(second, 'a second session exists');
  t.equal(second!.owner.principalId, operator.id, 'created with the MCP config\'s key: its permissions, not the server\'s');
  t.ok(offered, 'the model was offered the Aegis tools');
  t.match(JSON.parse(createdText), { id: second!.id, workDir: world.trusted[1], agent: 'claude-code' }, 'the create tool returned the new session');
  t.ok(steps <= 40, 'it got there within its bound');
});
