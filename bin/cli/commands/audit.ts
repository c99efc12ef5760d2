import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { clientOptions, run } from '../action.js';
import { loadCliConfig, resolveTarget, type GlobalOptions } from '../context.js';
import { Client } from '../client.js';
import { colour, printJson, type Io } from '../output.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `ag audit verify` (local, from the state directory) and `ag audit export` (through the API). */
export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit.command('verify')
    .description('check the audit chain in the state directory; exit 0 intact, 1 broken')
    .option('--state-dir <dir>', 'state directory (default: the one the server would use)')
    .option('--json', 'print the report as JSON')
    .option('-c, --config <file>', 'config file to find the state directory')
    .action(run(io, async (opts: Opts) => {
      const { verifyStateDir } = await import('../../../plugins/audit/index.js');
      const stateDir = (opts.stateDir as string | undefined) ?? (await loadCliConfig(opts.config)).stateDir;
      const report = await verifyStateDir(stateDir);
      if (opts.json) printJson(io, report);
      else if (report.ok) io.out.write(`${colour.green('intact', io.out)}: ${report.records} records in ${report.files} files (${stateDir})\n`);
      else {
        const b = report.firstBroken;
        io.out.write(`${colour.red('broken', io.out)}: ${b ? `${b.file} line ${b.line} (seq ${b.seq}): ${b.reason}` : report.error ?? 'unknown'}\n`);
      }
      return report.ok ? 0 : 1;
    }));
  clientOptions(audit.command('export')
    .description('download audit records (needs the audit permission)')
    .addOption(new Option('--format <format>', 'file format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('--from <iso>', 'records at or after this time')
    .option('--to <iso>', 'records at or before this time')
    .option('--actor <id>', 'only this actor')
    .option('--action <action>', 'only this action (a prefix ending in * matches many)')
    .option('--session <id>', 'only this session')
    .option('-o, --output <file>', 'write to this file instead of stdout'))
    .action(run(io, async (opts: Opts) => {
      const c = new Client(await resolveTarget(opts));
      const res = await c.raw('GET', '/v1/audit', {
        query: {
          format: opts.format as string, from: opts.from as string, to: opts.to as string, actor: opts.actor as string,
          action: opts.action as string, sessionId: opts.session as string,
        },
      });
      const body = Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream);
      if (opts.output) await pipeline(body, createWriteStream(String(opts.output), { mode: 0o600 }));
      else await pipeline(body, io.out, { end: false });
    }));
}
