import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './context.js';
import { reportError } from './action.js';
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
