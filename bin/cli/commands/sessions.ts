import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { SessionView } from '../../../plugins/sessions/index.js';
import { clientOptions, run } from '../action.js';
import { resolveTarget, type GlobalOptions } from '../context.js';
import { Client, seg } from '../client.js';
import { ago, colour, printJson, table, withSpinner, type Io } from '../output.js';

type Opts = GlobalOptions & Record<string, unknown>;

async function client(opts: GlobalOptions): Promise<Client> {
  return new Client(await resolveTarget(opts));
}

const stateColour = (s: string, io: Io) =>
  s === 'exited' || s === 'error' ? colour.red(s, io.out)
    : s === 'ending' ? colour.dim(s, io.out)
    : s === 'permission_prompt' || s === 'ask_question' || s === 'plan_mode' ? colour.yellow(s, io.out)
      : s === 'idle' ? colour.green(s, io.out) : s;

/** The human view of one session. */
export function describeSession(s: SessionView, io: Io): string {
  const rows: Array<[string, string | undefined]> = [
    ['id', s.id], ['name', s.name], ['agent', s.agent], ['status', `${stateColour(s.status, io)} (${s.stateCause})`],
    ['workDir', s.workDir], ['mode', s.permissionMode], ['owner', s.owner.tenantId ? `${s.owner.principalId} (${s.owner.tenantId})` : s.owner.principalId],
    ['created', s.createdAt], ['last activity', `${s.lastActivityAt} (${ago(s.lastActivityAt)} ago)`],
    ['pid', s.pid?.toString()], ['restarts', String(s.restarts)], ['reason', s.reason],
  ];
  let text = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${(k + ':').padEnd(15)}${v}`).join('\n') + '\n';
  const p = s.pendingPermission;
  if (p) {
    text += `\n${colour.yellow('waiting for approval', io.out)}: ${p.tool}${p.detail ? ` ${p.detail}` : ''}\n`;
    for (const o of p.options) text += `  ${o.number}. ${o.label}\n`;
    text += `approve with \`ag approve ${s.id}\` or reject with \`ag reject ${s.id}\`\n`;
  }
  const q = s.pendingQuestion;
  if (q) text += `\n${colour.yellow('question', io.out)}: ${q.question}\n${q.options.map((o) => `  ${o.number}. ${o.label}`).join('\n')}\n`;
  return text;
}

/**
 * Gives `create --mode` and `ls --status` the sessions plugin's modes and states as choices, just
 * before that command parses and only when the option (or help) is on the line: the plugin's entry
 * loads the whole plugin, which every other `ag` start should not pay for.
 */
function lazyChoices(program: Command, byCommand: Record<string, { option: Option; flag: string; values: () => Promise<readonly string[]> }>): void {
  program.hook('preSubcommand', async (parent, sub) => {
    const want = byCommand[sub.name()];
    if (!want) return;
    const args = parent.args;
    if (!args.some((a) => a === want.flag || a.startsWith(`${want.flag}=`) || a === '--help' || a === '-h')) return;
    want.option.choices([...await want.values()]);
  });
}

const sessionsEntry = () => import('../../../plugins/sessions/index.js');

/** `ag create|ls|show|send|approve|reject|interrupt|kill`. */
export function registerSessions(program: Command, io: Io): void {
  const modeOption = new Option('--mode <mode>', 'permission mode');
  const statusOption = new Option('--status <state>', 'only sessions in this state');
  lazyChoices(program, {
    create: { option: modeOption, flag: '--mode', values: async () => (await sessionsEntry()).PERMISSION_MODES },
    ls: { option: statusOption, flag: '--status', values: async () => (await sessionsEntry()).SESSION_STATES },
  });
  clientOptions(program.command('create')
    .description('start an agent session with a brief')
    .argument('<brief>', 'the first message to the agent')
    .option('--cwd <dir>', 'the working directory of the agent (default: the current directory)')
    .option('--agent <name>', 'the agent driver (default: the server\'s, claude-code)')
    .addOption(modeOption)
    .option('--name <name>', 'a name for the session')
    .option('--no-reuse', 'always start a new session, never reuse an idle one'))
    .action(run(io, async (brief: string, opts: Opts) => {
      const c = await client(opts);
      const body = {
        workDir: resolve(String(opts.cwd ?? process.cwd())), prompt: brief,
        ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.mode ? { permissionMode: opts.mode } : {}),
        ...(opts.name ? { name: opts.name } : {}), ...(opts.reuse === false ? { reuse: false } : {}),
      };
      const s = await withSpinner(io, 'starting the agent', () => c.post<SessionView & { reused: boolean }>('/v1/sessions', body), opts.json);
      if (opts.json) return printJson(io, s);
      io.out.write(`${s.reused ? 'reused' : 'created'} ${s.id} (${s.agent}, ${stateColour(s.status, io)}) in ${s.workDir}\n`);
    }));

  clientOptions(program.command('ls')
    .alias('list')
    .description('list sessions')
    .addOption(statusOption)
    .option('--agent <name>', 'only sessions of this agent')
    .option('--limit <n>', 'at most this many', '100'))
    .action(run(io, async (opts: Opts) => {
      const c = await client(opts);
      const page = await c.get<{ sessions: SessionView[]; total: number }>('/v1/sessions', {
        status: opts.status as string | undefined, agent: opts.agent as string | undefined, limit: Number(opts.limit),
      });
      if (opts.json) return printJson(io, page);
      if (page.sessions.length === 0) return void io.out.write('no sessions\n');
      io.out.write(table(['ID', 'NAME', 'AGENT', 'STATUS', 'ACTIVE', 'WORKDIR'], page.sessions.map((s) =>
        [s.id, s.name ?? '-', s.agent, s.status, ago(s.lastActivityAt), s.workDir])));
      if (page.total > page.sessions.length) io.out.write(colour.dim(`${page.sessions.length} of ${page.total} shown\n`, io.out));
    }));

  clientOptions(program.command('show').description('show one session').argument('<id>', 'session id'))
    .action(run(io, async (id: string, opts: Opts) => {
      const s = await (await client(opts)).get<SessionView>(`/v1/sessions/${seg(id)}`);
      if (opts.json) return printJson(io, s);
      io.out.write(describeSession(s, io));
    }));

  clientOptions(program.command('send').description('send a message to a session')
    .argument('<id>', 'session id').argument('<text...>', 'the message (words are joined with spaces)'))
    .action(run(io, async (id: string, words: string[], opts: Opts) => {
      const c = await client(opts);
      const r = await withSpinner(io, 'delivering', () => c.post<{ delivered: boolean; attempts: number }>(`/v1/sessions/${seg(id)}/send`, { text: words.join(' ') }), opts.json);
      if (opts.json) return printJson(io, r);
      io.out.write(r.delivered ? `delivered to ${id}\n` : `not confirmed as delivered to ${id} after ${r.attempts} attempts\n`);
      return r.delivered ? 0 : 1;
    }));

  clientOptions(program.command('approve').description('approve the pending permission of a session')
    .argument('<id>', 'session id').option('--option <n>', 'the option number to choose (default: the first, allow once)'))
    .action(run(io, async (id: string, opts: Opts) => {
      const body = opts.option === undefined ? {} : { option: Number(opts.option) };
      const r = await (await client(opts)).post<{ ok: boolean }>(`/v1/sessions/${seg(id)}/approve`, body);
      if (opts.json) return printJson(io, r);
      io.out.write(`approved ${id}\n`);
    }));

  const simple = (name: string, description: string, method: 'POST' | 'DELETE', path: string, done: string) =>
    clientOptions(program.command(name).description(description).argument('<id>', 'session id'))
      .action(run(io, async (id: string, opts: Opts) => {
        const c = await client(opts);
        const r = await c.json<unknown>(method, `/v1/sessions/${seg(id)}${path}`, method === 'POST' ? { body: {} } : {});
        if (opts.json) return printJson(io, r);
        io.out.write(`${done} ${id}\n`);
      }));
  simple('reject', 'reject the pending permission of a session', 'POST', '/reject', 'rejected');
  simple('interrupt', 'interrupt what the agent is doing (Ctrl-C, the agent\'s way)', 'POST', '/interrupt', 'interrupted');
  clientOptions(program.command('kill').description('end a session (the record stays): it is ending at once, exited once its processes are gone')
    .argument('<id>', 'session id').option('--wait', 'wait until its processes are gone (exited)'))
    .action(run(io, async (id: string, opts: Opts) => {
      const c = await client(opts);
      const s = await c.json<SessionView>('DELETE', `/v1/sessions/${seg(id)}`, opts.wait ? { query: { wait: 'true' } } : {});
      if (opts.json) return printJson(io, s);
      io.out.write(s.status === 'exited' ? `killed ${id}\n` : `ending ${id} (its processes are being stopped)\n`);
    }));
}
