/**
 * Records the screens of one Claude Code build into `plugins/claude-code/fixtures/<version>/`:
 * drives the real CLI in a PTY against the scripted model server through each dialog and state
 * the driver reads, and writes the rendered viewport (what `readScreen` sees) as one text file per
 * screen. Supporting a new release starts here: record, diff against the previous version's
 * folder, then adjust the parsers until the table tests pass.
 *
 *   npm run fixtures:record -- --claude <path to the claude executable> [--only name,name] [--out dir]
 */
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync, realpathSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import { reply, startModelServer } from './model-server.js';
import { createSandboxHome } from './sandbox-home.js';
import { REPO_ROOT } from './paths.js';

const COLS = 120;
const ROWS = 40;
const WAIT_MS = 30000;

/** One running CLI: its screen as text, keys in. */
class Cli {
  private readonly term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  private readonly proc: pty.IPty;
  exited = false;

  constructor(file: string, args: string[], cwd: string, env: Record<string, string>) {
    this.proc = pty.spawn(file, args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd, env });
    this.proc.onData((d) => this.term.write(d));
    this.proc.onExit(() => { this.exited = true; });
  }

  lines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < ROWS; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n').replace(/\u00a0/g, ' ');
  }

  write(keys: string): void {
    this.proc.write(keys);
  }

  /** Waits until `re` is on screen and (unless `moving`: a spinner animates) has not changed for a moment. */
  async until(re: RegExp, what: string, ms = WAIT_MS, moving = false): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    let stable = 0;
    while (Date.now() < end) {
      const now = this.text();
      if (re.test(now)) {
        stable = now === last ? stable + 1 : 0;
        if (moving || stable >= 3) return now;
      }
      last = now;
      await delay(150);
    }
    throw new Error(`no ${what} within ${ms} ms; screen:\n${this.text()}`);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

const IDLE = /^─{8,}.*\n❯.*\n─{8,}/m;
const SPINNER = /^[·✢*✶✻✽] \S[^…\n]{0,60}…/m;
const DONE = /^✻ \S+ for \d+s/m;
const DIALOG_ANSWER = /Do you want to .*\?/;

interface Scenario {
  name: string;
  mode?: string;
  trusted?: boolean;
  run(cli: Cli, ctx: { work: string; model: Awaited<ReturnType<typeof startModelServer>>; save(name: string): Promise<void> }): Promise<void>;
}

/** Types a prompt, then Enter on its own (newer builds take a CR inside fast typing as part of a paste). */
async function say(cli: Cli, text: string): Promise<void> {
  cli.write(text);
  await delay(300);
  // Right after a turn a newer build may drop the first Enter: press again while the text still waits.
  for (let i = 0; i < 3; i++) {
    cli.write('\r');
    await delay(1000);
    if (!new RegExp(`^❯ ${text}\\s*$`, 'm').test(cli.text().split(/^─{8,}$/m).slice(-2)[0] ?? '')) return;
  }
}
const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;
const question = {
  question: 'Which colour should the button be?',
  header: 'Colour',
  options: [{ label: 'Red', description: 'A warm colour' }, { label: 'Blue', description: 'A cool colour' }],
};

const SCENARIOS: Scenario[] = [
  {
    name: 'turn',
    async run(cli, { model, save }) {
      await cli.until(IDLE, 'idle box'); await save('idle');
      model.script([reply.slowText('one two three four five six seven eight nine ten eleven twelve', { chunkDelayMs: 400 })]);
      await say(cli, 'say something slowly');
      await cli.until(SPINNER, 'spinner', WAIT_MS, true); await save('working');
      await cli.until(DONE, 'done line'); await save('after-turn');
      model.script([reply.slowText('a b c d e f g h i j k l m n o p q r s t u v w x y z', { chunkDelayMs: 500 })]);
      await say(cli, 'again slowly');
      await cli.until(SPINNER, 'spinner', WAIT_MS, true);
      cli.write('\x1b');
      await cli.until(/Interrupted/, 'interrupted'); await save('interrupted');
    },
  },
  {
    name: 'permissions',
    async run(cli, { model, work, save }) {
      await cli.until(IDLE, 'idle box');
      model.script([reply.bash(writeCommand('a.txt'), 'Write a.txt'), reply.text('done')]);
      await say(cli, 'write a.txt');
      await cli.until(DIALOG_ANSWER, 'bash permission'); await save('permission-bash');
      cli.write('1');
      await cli.until(DONE, 'turn end');
      model.script([reply.bash(writeCommand('b.txt'), 'Write b.txt')]);
      await say(cli, 'write b.txt');
      await cli.until(DIALOG_ANSWER, 'bash permission');
      cli.write('\x1b');
      await cli.until(/Interrupted/, 'rejected'); await save('rejected');
      model.script([reply.write(join(work, 'c.txt'), 'hello\n'), reply.text('written')]);
      await say(cli, 'create c.txt');
      await cli.until(DIALOG_ANSWER, 'write permission'); await save('permission-write');
      cli.write('1');
      await cli.until(DONE, 'turn end');
      model.script([reply.read(join(work, 'c.txt')), reply.edit(join(work, 'c.txt'), 'hello', 'goodbye'), reply.text('edited')]);
      await say(cli, 'edit c.txt');
      await cli.until(DIALOG_ANSWER, 'edit permission'); await save('permission-edit');
      cli.write('\x1b');
    },
  },
  {
    name: 'question',
    async run(cli, { model, save }) {
      await cli.until(IDLE, 'idle box');
      model.script([reply.askUserQuestion(question), reply.text('noted')]);
      await say(cli, 'ask me');
      await cli.until(/Enter to select/, 'question'); await save('ask-question');
      cli.write('1');
      await cli.until(DONE, 'turn end');
      model.script([reply.askUserQuestion([question, { ...question, question: 'Which size?', header: 'Size', multiSelect: true,
        options: [{ label: 'Small', description: 's' }, { label: 'Large', description: 'l' }] }]), reply.text('noted')]);
      await say(cli, 'ask me twice');
      await cli.until(/Enter to select/, 'first question'); await save('ask-question-multi-first');
      cli.write('2');
      await cli.until(/Which size\?/, 'second question'); await save('ask-question-multiselect');
      cli.write('1');
      await delay(500);
      cli.write('\x1b[C');
      await cli.until(/Submit answers/, 'review'); await save('ask-question-review');
      cli.write('\x1b');
    },
  },
  {
    name: 'plan',
    mode: 'plan',
    async run(cli, { model, save }) {
      await cli.until(IDLE, 'idle box'); await save('idle-plan-mode');
      model.script([reply.exitPlanMode('# Plan\n\n1. Create hello.txt\n2. Say done'), reply.text('done')]);
      await say(cli, 'make a plan');
      await cli.until(/plan/i, 'plan approval');
      await cli.until(/(Would you like to proceed|Exit plan mode)\?/, 'plan approval'); await save('plan-approval');
      cli.write('2');
      await cli.until(DONE, 'plan approved'); await save('plan-approved');
    },
  },
  {
    name: 'plan-nofile',
    mode: 'plan',
    async run(cli, { model, save }) {
      await cli.until(IDLE, 'idle box');
      model.script([reply.toolUse('ExitPlanMode', { plan: 'Just do it' }), reply.text('done')]);
      await say(cli, 'exit plan mode');
      await cli.until(/(Would you like to proceed|Exit plan mode)\?/, 'plan approval'); await save('plan-approval-nofile');
      cli.write('\x1b');
    },
  },
  {
    name: 'trust',
    trusted: false,
    async run(cli, { save }) {
      await cli.until(/trust this folder/, 'trust dialog'); await save('trust');
    },
  },
  {
    name: 'modes',
    mode: 'acceptEdits',
    async run(cli, { save }) {
      await cli.until(IDLE, 'idle box'); await save('idle-accept-edits');
    },
  },
];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--claude');
  if (at < 0 || !argv[at + 1]) throw new Error('usage: npm run fixtures:record -- --claude <path> [--only a,b] [--out dir]');
  const claude = realpathSync(argv[at + 1]!);
  const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1]!.split(',')) : undefined;
  const version = /^(\d+\.\d+\.\d+)/.exec(execFileSync(claude, ['--version'], { encoding: 'utf8' }).trim())?.[1];
  if (!version) throw new Error('cannot read the CLI version');
  const out = argv.includes('--out') ? join(argv[argv.indexOf('--out') + 1]!, version) : join(REPO_ROOT, 'plugins', 'claude-code', 'fixtures', version);
  await mkdir(out, { recursive: true });
  for (const sc of SCENARIOS) {
    if (only && !only.has(sc.name)) continue;
    // A server per scenario: replies a failed scenario left unused must not answer the next one.
    const model = await startModelServer();
    {
      const work = await realpath(mkdtempSync(join(tmpdir(), 'aegis-rec-')));
      const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work], untrusted: sc.trusted === false ? [work] : [] });
      const cli = new Cli(claude, ['--session-id', randomUUID(), '--permission-mode', sc.mode ?? 'default'], work, sandbox.env);
      const save = async (name: string) => {
        await writeFile(join(out, `${name}.txt`), `${cli.lines().join('\n')}\n`);
        process.stdout.write(`${version}/${name}.txt\n`);
      };
      try {
        await sc.run(cli, { work, model, save });
        await delay(300);
      } catch (err) {
        process.stdout.write(`${sc.name}: ${(err as Error).message}\n`);
      } finally {
        cli.kill();
        await sandbox.cleanup();
        await rm(work, { recursive: true, force: true });
        await model.close();
      }
    }
  }
}

await main();
