import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, open, stat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { AegisConfig } from '../../../kernel/index.js';
import { run } from '../action.js';
import { clientHost, loadCliConfig, tokenFilePath } from '../context.js';
import { colour, printJson, table, type Io } from '../output.js';
import { cliEnv } from '../env.js';

/** One row of the doctor's table. */
export interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
}

const pass = (name: string, detail: string): Check => ({ name, status: 'pass', detail });
const warn = (name: string, detail: string): Check => ({ name, status: 'warn', detail });
const fail = (name: string, detail: string): Check => ({ name, status: 'fail', detail });

async function versionOf(file: string): Promise<string> {
  // execFile with the file itself: no shell reads the path.
  const { stdout } = await promisify(execFile)(file, ['--version'], { timeout: 15000, env: { ...cliEnv(), CI: '1' } });
  return stdout.trim().split('\n')[0] ?? '';
}

async function agentChecks(): Promise<Check[]> {
  const out: Check[] = [];
  try {
    const { resolveClaude } = await import('../../../plugins/claude-code/index.js');
    const file = resolveClaude(undefined, cliEnv().PATH ?? '');
    out.push(pass('agent: claude', `${await versionOf(file).catch(() => 'version unknown')} (${file})`));
  } catch {
    out.push(warn('agent: claude', 'not found on PATH nor installed with Aegis; claude-code sessions cannot start'));
  }
  try {
    const { claudeAgentBin } = await import('../../../plugins/acp/index.js');
    const bin = claudeAgentBin();
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(join(bin, '..', 'package.json'), 'utf8').catch(async () =>
      readFile(join(bin, '..', '..', 'package.json'), 'utf8'))) as { version?: string };
    out.push(pass('agent: claude-agent-acp', `${pkg.version ?? 'version unknown'} (${bin})`));
  } catch {
    out.push(warn('agent: claude-agent-acp', 'not installed; claude-acp sessions cannot start'));
  }
  return out;
}

async function stateDirChecks(dir: string): Promise<Check[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dir);
  } catch {
    return [fail('state dir', `${dir} does not exist; run \`ag init\` or start the server once`), fail('state dir writable', `${dir} does not exist`)];
  }
  if (!st.isDirectory()) return [fail('state dir', `${dir} is not a directory`), fail('state dir writable', `${dir} is not a directory`)];
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  const rows = [(st.mode & 0o077) === 0 ? pass('state dir', `${dir} (mode ${mode})`)
    : fail('state dir', `${dir} has mode ${mode}: others may read it; chmod 700 it`)];
  const probe = join(dir, `.doctor-${process.pid}.tmp`);
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    const fh = await open(probe, 'wx', 0o600);
    await fh.close();
    await unlink(probe);
    rows.push(pass('state dir writable', 'a file was created and removed'));
  } catch (err) {
    rows.push(fail('state dir writable', `cannot write ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`));
  }
  return rows;
}

/** Free: pass. Taken by an Aegis that answers its health route: pass. Taken by anything else: fail. */
async function portCheck(host: string, port: number): Promise<Check> {
  const name = 'port';
  const taken = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
  if (!taken) return pass(name, `${host}:${port} is free`);
  if (taken.code !== 'EADDRINUSE') return fail(name, `cannot listen on ${host}:${port} (${taken.code})`);
  try {
    const res = await fetch(`http://${clientHost(host)}:${port}/v1/health`, { signal: AbortSignal.timeout(3000) });
    const body = await res.json() as { status?: string; version?: string };
    if (body.status && body.version) return pass(name, `${host}:${port} is in use by Aegis ${body.version} (${body.status})`);
  } catch {
    // Not an Aegis: reported below.
  }
  return fail(name, `${host}:${port} is already in use by another program; set AEGIS_PORT or server.port`);
}

async function tokenCheck(config: AegisConfig): Promise<Check> {
  if (config.server.authToken) return pass('auth token', 'from AEGIS_AUTH_TOKEN or the config');
  const file = tokenFilePath(config);
  try {
    const st = await stat(file);
    return (st.mode & 0o077) === 0 ? pass('auth token', file) : fail('auth token', `${file} is readable by others; chmod 600 it`);
  } catch {
    return warn('auth token', `none yet; the server generates ${file} on first start (or run \`ag init\`)`);
  }
}

async function auditCheck(stateDir: string): Promise<Check> {
  try {
    const { verifyStateDir } = await import('../../../plugins/audit/index.js');
    const r = await verifyStateDir(stateDir);
    if (r.ok) return pass('audit chain', `intact: ${r.records} records in ${r.files} files`);
    const b = r.firstBroken;
    return fail('audit chain', b ? `broken at ${b.file} line ${b.line} (${b.reason}); see \`ag audit verify\`` : r.error ?? 'broken');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? pass('audit chain', 'no records yet') : fail('audit chain', `cannot read the audit log (${code ?? (err as Error).message})`);
  }
}

/** Every check, in the table's order. */
export async function runChecks(configPath?: string): Promise<Check[]> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push(major >= 20 ? pass('node', `v${process.versions.node}`) : fail('node', `v${process.versions.node}; Aegis needs Node 20 or newer`));
  let config: AegisConfig | undefined;
  try {
    config = await loadCliConfig(configPath);
    checks.push(pass('config', config.source ?? 'no file; defaults and environment'));
  } catch (err) {
    checks.push(fail('config', (err as Error).message));
  }
  checks.push(...await agentChecks());
  const stateDir = config?.stateDir ?? join(homedir(), '.aegis');
  const dirRows = await stateDirChecks(stateDir);
  checks.push(...dirRows);
  if (config) {
    checks.push(await tokenCheck(config));
    checks.push(await portCheck(config.server.host, config.server.port));
  }
  checks.push(dirRows[0].status === 'pass' ? await auditCheck(stateDir) : warn('audit chain', 'skipped: no usable state directory'));
  return checks;
}

/** `ag doctor`: a pass/fail table of what Aegis needs; exit 1 when a row fails. */
export function registerDoctor(program: Command, io: Io): void {
  program.command('doctor')
    .description('check Node, the agent CLIs, the state directory, the port, the audit chain and the config')
    .option('--json', 'print the checks as JSON')
    .option('-c, --config <file>', 'config file to check')
    .action(run(io, async (opts: { json?: boolean; config?: string }) => {
      const checks = await runChecks(opts.config);
      const ok = checks.every((c) => c.status !== 'fail');
      if (opts.json) printJson(io, { ok, checks });
      else {
        const mark = (s: Check['status']) => s === 'pass' ? colour.green('pass', io.out) : s === 'warn' ? colour.yellow('warn', io.out) : colour.red('FAIL', io.out);
        io.out.write(table(['CHECK', 'RESULT', 'DETAIL'], checks.map((c) => [c.name, mark(c.status), c.detail])));
        io.out.write(ok ? 'all checks passed\n' : `${checks.filter((c) => c.status === 'fail').length} check(s) failed\n`);
      }
      return ok ? 0 : 1;
    }));
}
