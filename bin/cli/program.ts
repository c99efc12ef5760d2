import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, type GlobalOptions } from './context.js';
import { ApiError } from './client.js';
import { stdio, type Io } from './output.js';
import { registerServe } from './commands/serve.js';
import { registerInit } from './commands/init.js';
import { registerDoctor } from './commands/doctor.js';
import { registerSessions } from './commands/sessions.js';
import { registerTail } from './commands/tail.js';
import { registerKeys } from './commands/keys.js';
import { registerAudit } from './commands/audit.js';
import { registerMcp } from './commands/mcp.js';
import { VERSION } from '../../kernel/version.js';

/** The options a client command takes: where the server is, and JSON output. */
export function clientOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON for scripts')
    .option('--url <url>', 'the server (default: AEGIS_BASE_URL, else the config\'s host and port)')
    .option('-c, --config <file>', 'config file to read host, port and state directory from');
}

/** Prints a failure as one line with its code and sets the exit code; never a stack trace. */
export function reportError(io: Io, err: unknown, json = false): number {
  if (err instanceof CliError) {
    if (json) {
      const body: Record<string, unknown> = { error: { code: err.code, message: err.message } };
      if (err instanceof ApiError) Object.assign(body.error as object, { status: err.status, requestId: err.requestId });
      io.err.write(JSON.stringify(body) + '\n');
    } else {
      const status = err instanceof ApiError ? ` (HTTP ${err.status})` : '';
      io.err.write(`ag: ${err.message} [${err.code}]${status}\n`);
    }
    return err.exitCode;
  }
  const e = err as { message?: string; code?: string };
  io.err.write(`ag: ${e.message?.split('\n')[0] ?? String(err)} [${e.code ?? 'AEGIS_ERR_CLI'}]\n`);
  return EXIT.failed;
}

/** Wraps an action so every failure is reported the same way. */
export function run<A extends unknown[]>(io: Io, fn: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts() as GlobalOptions;
    try {
      process.exitCode = (await fn(...args)) ?? EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(io, err, Boolean(opts.json));
    }
  };
}

/** Builds the `ag` command tree. */
export function buildProgram(io: Io = stdio): Command {
  const program = new Command('ag')
    .description('Aegis: a self-hosted control plane for AI coding agents.\nWithout a command, starts the server (same as `ag serve`).')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .exitOverride();
  program.addOption(new Option('--no-color', 'no colours, even on a terminal').hideHelp());
  registerServe(program);
  program.command('version').description('print the version').action(() => { io.out.write(`${VERSION}\n`); });
  registerInit(program, io);
  registerDoctor(program, io);
  registerSessions(program, io);
  registerTail(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerMcp(program, io);
  return program;
}

/** Parses argv and runs the command; commander's usage errors exit 2, help and version exit 0. */
export async function runCli(argv: string[], io: Io = stdio): Promise<void> {
  const program = buildProgram(io);
  for (const cmd of program.commands) cmd.exitOverride();
  // `ag` alone, or `ag --config x`, starts the server; help and version stay the program's own.
  const first = argv[0];
  if (first === undefined || (first.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first))) argv = ['serve', ...argv];
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = reportError(io, err);
  }
}
