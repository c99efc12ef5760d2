import type { Command } from 'commander';
import { CliError, EXIT, type GlobalOptions } from './context.js';
import { ApiError } from './client.js';
import type { Io } from './output.js';

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
export function run<A extends unknown[]>(io: Io, fn: (...args: A) => Promise<unknown>) {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts() as GlobalOptions;
    try {
      // An action returns its exit code, or nothing when it succeeded.
      const code = await fn(...args);
      process.exitCode = typeof code === 'number' ? code : EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(io, err, Boolean(opts.json));
    }
  };
}
