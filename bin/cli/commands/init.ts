import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { run } from '../action.js';
import { CliError, EXIT } from '../context.js';
import { printJson, type Io } from '../output.js';

interface InitOptions {
  yes?: boolean;
  force?: boolean;
  json?: boolean;
  config?: string;
  host: string;
  port: string;
  stateDir: string;
}

const expandHome = (p: string) => (p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

function checkPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError('AEGIS_ERR_CLI_BAD_ARGUMENT', `port must be 0-65535, got ${v}`, EXIT.usage);
  return n;
}

/** Asks each question on a terminal, keeping the default on an empty answer. */
async function ask(opts: InitOptions, io: Io): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: io.err as NodeJS.WritableStream });
  try {
    const q = async (label: string, def: string) => (await rl.question(`${label} [${def}]: `)).trim() || def;
    opts.host = await q('Bind address', opts.host);
    opts.port = await q('Port', opts.port);
    opts.stateDir = await q('State directory', opts.stateDir);
  } finally {
    rl.close();
  }
}

/** `ag init`: writes a config file and the master token (0600); interactive on a terminal. */
export function registerInit(program: Command, io: Io): void {
  program.command('init')
    .description('write a config file and an API token (mode 0600); asks on a terminal unless --yes')
    .option('-y, --yes', 'take the defaults and the flags without asking')
    .option('-c, --config <file>', 'where to write the config', join('~', '.aegis', 'config.yaml'))
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--port <port>', 'HTTP port', '9100')
    .option('--state-dir <dir>', 'state directory', join('~', '.aegis'))
    .option('--force', 'overwrite an existing config file')
    .option('--json', 'print what was written as JSON')
    .action(run(io, async (opts: InitOptions) => {
      const [{ atomicWrite, ensureStateDir, loadOrCreateSecret }, { stringify }] = await Promise.all([import('../../../kernel/index.js'), import('yaml')]);
      if (!opts.yes && process.stdin.isTTY) await ask(opts, io);
      const file = resolve(expandHome(opts.config ?? join('~', '.aegis', 'config.yaml')));
      if (existsSync(file) && !opts.force) {
        throw new CliError('AEGIS_ERR_CLI_CONFIG_EXISTS', `${file} already exists; pass --force to overwrite it`);
      }
      const config = { version: 1, server: { host: opts.host, port: checkPort(opts.port) }, stateDir: opts.stateDir };
      await ensureStateDir(dirname(file));
      await atomicWrite(file, stringify(config), 0o600);
      const stateDir = resolve(dirname(file), expandHome(opts.stateDir));
      await ensureStateDir(stateDir);
      // The same file and format the auth plugin reads, so the server uses this token.
      const tokenFile = join(stateDir, 'auth-token');
      const { created } = await loadOrCreateSecret(tokenFile, 'aegis_');
      if (opts.json) return printJson(io, { config: file, stateDir, tokenFile, tokenCreated: created });
      io.out.write(`wrote ${file}\n${created ? 'created' : 'kept'} the API token in ${tokenFile} (mode 0600)\n`
        + `start the server with \`ag\`; the CLI reads the token from that file (or AEGIS_AUTH_TOKEN)\n`);
    }));
}
