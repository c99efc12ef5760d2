import { type AgentDriver, NoQuestion, NothingPending, type SessionContext } from '../sessions/index.js';
import { CommandNotAllowed, CommandNotConfigured } from './errors.js';

/** How the command driver runs programs (the `plugins.command` options). */
export interface CommandDriverOptions {
  command?: string;
  args: string[];
  quietMs: number;
  allowedCommands: string[];
  onRestart: 'rerun' | 'exit';
}

/** The program a session runs, as stored in `record.driver`. */
interface Program {
  command: string;
  args: string[];
}

const CTRL_C = '\x03';
const ESC = '\x1b';

/**
 * A generic driver for any CLI: the program comes from config, or from the create request's
 * `agentOptions` when `allowedCommands` lists it. Output means `working`; `quietMs` of silence
 * means `idle` (one timer per session, re-armed on each repaint, never polled). It has no prompts,
 * so approve/reject/answer are refused as nothing pending.
 */
export function createCommandDriver(opts: CommandDriverOptions): AgentDriver {
  const quiet = new Map<string, NodeJS.Timeout>();

  const armQuiet = (ctx: SessionContext) => {
    const id = ctx.record.id;
    const existing = quiet.get(id);
    if (existing) { existing.refresh(); return; }
    quiet.set(id, setTimeout(() => {
      quiet.delete(id);
      ctx.report({ state: 'idle', cause: 'quiet' });
    }, opts.quietMs));
  };

  const clearQuiet = (id: string) => {
    clearTimeout(quiet.get(id));
    quiet.delete(id);
  };

  const driver: AgentDriver = {
    name: 'command',
    capabilities: { resume: opts.onRestart === 'rerun', transcript: true, permissions: false, questions: false },

    validateOptions(options) {
      const command = options.command;
      const args = options.args ?? [];
      const extra = Object.keys(options).filter((k) => k !== 'command' && k !== 'args');
      if (extra.length) throw new CommandNotAllowed(`unknown option ${extra[0]}`);
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new CommandNotAllowed('args must be strings');
      if (command === undefined) {
        if (!opts.command) throw new CommandNotConfigured();
        if ((args as string[]).length) throw new CommandNotAllowed('args need a command');
        return { program: { command: opts.command, args: opts.args } satisfies Program };
      }
      if (typeof command !== 'string' || !opts.allowedCommands.includes(command)) throw new CommandNotAllowed(String(command));
      return { program: { command, args: args as string[] } satisfies Program };
    },

    async start(ctx, { prompt }) {
      const program = (ctx.record.driver.program as Program | undefined) ?? (opts.command ? { command: opts.command, args: opts.args } : undefined);
      if (!program) throw new CommandNotConfigured();
      // A resumed session starts the program afresh in the same workDir: a plain CLI has no
      // conversation to reload; the transcript of what was sent is kept by the runtime.
      await ctx.spawnPty({ command: program.command, args: program.args, cwd: ctx.record.workDir, env: ctx.agentEnv([], ctx.record.env) });
      armQuiet(ctx);
      if (prompt) await driver.send(ctx, prompt);
    },

    onRender(ctx) {
      if (ctx.state().state !== 'working') ctx.report({ state: 'working', cause: 'screen:output' });
      armQuiet(ctx);
    },

    onExit(ctx) {
      clearQuiet(ctx.record.id);
    },

    async send(ctx, text) {
      ctx.write(text + '\r');
      ctx.appendTranscript([{ role: 'user', text }]);
      return { delivered: true, attempts: 1 };
    },

    async approve(ctx) { throw new NothingPending(ctx.record.id); },
    async reject(ctx) { throw new NothingPending(ctx.record.id); },
    async answer(ctx) { throw new NoQuestion(ctx.record.id); },
    async interrupt(ctx) { ctx.write(CTRL_C); },
    async escape(ctx) { ctx.write(ESC); },
  };
  return driver;
}
