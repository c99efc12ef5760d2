import { Option, type Command } from 'commander';
import { clientOptions, run } from '../action.js';
import { CliError, EXIT, resolveTarget, type GlobalOptions } from '../context.js';
import { Client, seg } from '../client.js';
import { printJson, table, type Io } from '../output.js';

interface KeyView { id: string; name: string; role: string; permissions: string[]; tenantId?: string; status: string; createdAt: string; expiresAt?: string; key?: string }
type Opts = GlobalOptions & Record<string, unknown>;

const positiveNumber = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError('AEGIS_ERR_CLI_BAD_ARGUMENT', `${flag} needs a positive number, got ${v}`, EXIT.usage);
  return n;
};

/** `ag keys create|ls|revoke`: API keys (admin). */
export function registerKeys(program: Command, io: Io): void {
  const keys = program.command('keys').description('manage API keys (needs an admin token)');
  clientOptions(keys.command('create')
    .description('create an API key; the key is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(new Option('--role <role>', 'role').choices(['viewer', 'operator', 'admin']).default('operator'))
    .option('--permission <p...>', 'extra permissions (e.g. audit)')
    .option('--tenant <id>', 'tenant the key belongs to')
    .option('--ttl-days <days>', 'days until it expires', positiveNumber('--ttl-days'))
    .option('--rate-limit <n>', 'requests per minute', positiveNumber('--rate-limit')))
    .action(run(io, async (opts: Opts) => {
      const c = new Client(await resolveTarget(opts));
      const k = await c.post<KeyView>('/v1/auth/keys', {
        name: opts.name, role: opts.role,
        ...(opts.permission ? { permissions: opts.permission } : {}), ...(opts.tenant ? { tenantId: opts.tenant } : {}),
        ...(opts.ttlDays ? { ttlDays: opts.ttlDays } : {}), ...(opts.rateLimit ? { rateLimit: Math.floor(Number(opts.rateLimit)) } : {}),
      });
      if (opts.json) return printJson(io, k);
      io.out.write(`created key ${k.id} (${k.role}${k.tenantId ? `, tenant ${k.tenantId}` : ''})\n${k.key}\nstore it now: it is not shown again\n`);
    }));
  clientOptions(keys.command('ls').alias('list').description('list API keys (never their secrets)'))
    .action(run(io, async (opts: Opts) => {
      const list = await new Client(await resolveTarget(opts)).get<{ keys: KeyView[] }>('/v1/auth/keys');
      if (opts.json) return printJson(io, list);
      if (list.keys.length === 0) return void io.out.write('no keys\n');
      io.out.write(table(['ID', 'NAME', 'ROLE', 'TENANT', 'STATUS', 'EXPIRES'], list.keys.map((k) =>
        [k.id, k.name, k.role, k.tenantId ?? '-', k.status, k.expiresAt ?? 'never'])));
    }));
  clientOptions(keys.command('revoke').description('revoke an API key at once').argument('<id>', 'key id'))
    .action(run(io, async (id: string, opts: Opts) => {
      const k = await new Client(await resolveTarget(opts)).delete<KeyView>(`/v1/auth/keys/${seg(id)}`);
      if (opts.json) return printJson(io, k);
      io.out.write(`revoked ${id}\n`);
    }));
}
