import { AcpInvalidOptions, AcpNotConfigured, AcpUnknownAgent } from './errors.js';
import type { AcpAgentSpec } from './driver.js';
import type { AcpOptions, AgentProgram } from './schema.js';

/**
 * The program a session runs: a name from `agents`, or the default `command` when `name` is
 * undefined. Read from the config at every start, so a restart picks up a changed command.
 */
export function programFor(opts: AcpOptions, name: string | undefined): AgentProgram {
  if (name !== undefined) {
    const p = opts.agents[name];
    if (!p) throw new AcpUnknownAgent(name, Object.keys(opts.agents).join(', ') || 'none');
    return p;
  }
  if (opts.command) return { command: opts.command, args: opts.args, env: {} };
  const names = Object.keys(opts.agents);
  if (names.length === 1) return opts.agents[names[0]!]!;
  throw new AcpNotConfigured();
}

/**
 * The `acp` agent: any program that speaks ACP on stdio, from the config only. A create request
 * may pick a configured one with `agentOptions: { agent: "<name>" }`; it can never name a command.
 */
export function genericAgent(opts: AcpOptions): AcpAgentSpec {
  return {
    name: 'acp',
    validateOptions(options) {
      const extra = Object.keys(options).filter((k) => k !== 'agent');
      if (extra.length) throw new AcpInvalidOptions(`unknown option ${extra[0]}`);
      const name = options.agent;
      if (name !== undefined && typeof name !== 'string') throw new AcpInvalidOptions('agent must be a string');
      programFor(opts, name);
      return name === undefined ? {} : { acpAgent: name };
    },
    launch(ctx) {
      const name = ctx.record.driver.acpAgent;
      const p = programFor(opts, typeof name === 'string' ? name : undefined);
      return { command: p.command, args: p.args ?? [], cwd: ctx.record.workDir, env: ctx.agentEnv([], ctx.record.env, opts.env, p.env) };
    },
  };
}
