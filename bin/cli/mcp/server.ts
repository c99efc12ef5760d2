import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../../../kernel/health.js';
import { CliError } from '../context.js';
import { ApiError } from '../client.js';
import type { Client } from '../client.js';
import { TOOLS } from './tools.js';

/**
 * Aegis as an MCP server: every tool is a REST call made with the caller's own token, so an agent
 * using it has exactly the permissions of that token and no more.
 */
export function createMcpServer(client: Client): Server {
  const server = new Server({ name: 'aegis', version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema as { type: 'object' } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const t = TOOLS.find((x) => x.name === request.params.name);
    if (!t) return { isError: true, content: [{ type: 'text' as const, text: `unknown tool ${request.params.name}` }] };
    try {
      const result = await t.call(client, (request.params.arguments ?? {}) as Record<string, unknown>);
      return { content: [{ type: 'text' as const, text: JSON.stringify(result, null, 2) }] };
    } catch (err) {
      const text = err instanceof ApiError ? `${err.code} (HTTP ${err.status}): ${err.message}`
        : err instanceof CliError ? `${err.code}: ${err.message}` : `AEGIS_ERR_CLI: ${(err as Error).message}`;
      return { isError: true, content: [{ type: 'text' as const, text }] };
    }
  });
  return server;
}

/** Serves MCP on stdin/stdout until the client closes the pipe. */
export async function serveStdio(client: Client): Promise<void> {
  const server = createMcpServer(client);
  const closed = new Promise<void>((resolve) => { server.onclose = () => resolve(); });
  await server.connect(new StdioServerTransport());
  await closed;
}
