import type { Command } from 'commander';
import { run } from '../action.js';
import { resolveTarget, type GlobalOptions } from '../context.js';
import { Client } from '../client.js';
import type { Io } from '../output.js';

/** `ag mcp`: Aegis as an MCP server over stdio, for Claude Code, Cursor and other MCP clients. */
export function registerMcp(program: Command, io: Io): void {
  program.command('mcp')
    .description('serve Aegis as an MCP server on stdin/stdout (tools: list, create, message, approve, reject, read sessions)')
    .option('--url <url>', 'the server (default: AEGIS_BASE_URL, else the config\'s host and port)')
    .option('-c, --config <file>', 'config file to read host, port and state directory from')
    .action(run(io, async (opts: GlobalOptions) => {
      const { serveStdio } = await import('../mcp/server.js');
      await serveStdio(new Client(await resolveTarget(opts)));
    }));
}
