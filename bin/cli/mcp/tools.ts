import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import {
  ApproveBody, CreateBody, IdParams, ListQuery, SendBody, TranscriptQuery,
} from '../../../plugins/sessions/index.js';
import { seg, type Client } from '../client.js';

/** One MCP tool: its name, what it does, its input schema and the REST call behind it. */
export interface Tool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  call(client: Client, args: Record<string, unknown>): Promise<unknown>;
}

/**
 * The API's TypeBox schema as a plain JSON schema for a tool: properties the API defaults are not
 * required of the caller (the API fills them in).
 */
export function toolSchema(schema: TObject): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(schema)) as { properties: Record<string, { default?: unknown }>; required?: string[] };
  const required = (plain.required ?? []).filter((k) => plain.properties[k]?.default === undefined);
  const out: Record<string, unknown> = { ...plain, type: 'object' };
  if (required.length) out.required = required; else delete out.required;
  return out;
}

const withId = (body: TObject) => Type.Object({ ...IdParams.properties, ...body.properties }, { additionalProperties: false });

function split(args: Record<string, unknown>): [string, Record<string, unknown>] {
  const { id, ...rest } = args;
  return [String(id), rest];
}

const query = (args: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(args).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) as Record<string, string | number | boolean>;

const tool = (name: string, description: string, schema: TSchema, call: Tool['call']): Tool =>
  ({ name, description, inputSchema: toolSchema(schema as TObject), call });

/** The tools `ag mcp` offers; each is one REST call with the caller's token. */
export const TOOLS: Tool[] = [
  tool('list_sessions', 'List Aegis agent sessions (id, name, agent, status, workDir). Filter by status or agent.',
    ListQuery, (c, a) => c.get('/v1/sessions', query(a))),
  tool('create_session', 'Start a new agent session in workDir (an absolute path of an existing directory), optionally with a first prompt. Returns the session, with its id.',
    CreateBody, (c, a) => c.post('/v1/sessions', a)),
  tool('get_session', 'Read one session: its status and any pending permission or question.',
    IdParams, (c, a) => c.get(`/v1/sessions/${seg(String(a.id))}`)),
  tool('send_message', 'Send a message to a session, as if typed by its user.',
    withId(SendBody), (c, a) => { const [id, body] = split(a); return c.post(`/v1/sessions/${seg(id)}/send`, body); }),
  tool('approve_permission', 'Approve the permission a session is waiting for (optionally choosing an option number).',
    withId(ApproveBody), (c, a) => { const [id, body] = split(a); return c.post(`/v1/sessions/${seg(id)}/approve`, body); }),
  tool('reject_permission', 'Reject the permission a session is waiting for.',
    IdParams, (c, a) => c.post(`/v1/sessions/${seg(String(a.id))}/reject`, {})),
  tool('read_transcript', "Read a session's transcript (user, assistant and tool entries), paged with limit and offset.",
    withId(TranscriptQuery), (c, a) => { const [id, q] = split(a); return c.get(`/v1/sessions/${seg(id)}/transcript`, query(q)); }),
];
