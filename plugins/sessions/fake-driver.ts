import fp from 'fastify-plugin';
import type { Catalogue } from '../../kernel/index.js';
import type { AgentDriver, HookEvent, SessionContext } from './driver.js';

/** What the fake driver saw, for assertions. */
export interface FakeLog {
  contexts: Map<string, SessionContext>;
  hooks: Array<HookEvent & { sessionId: string }>;
  calls: string[];
}

/**
 * A test driver with no process at all: it goes idle on start, and hook events script it. A
 * `PermissionRequest` hook raises a permission prompt, a `Question` hook a question, `Stop` idles,
 * `Exit` reports the end. It proves the runtime's seams without needing a real agent.
 */
export function createFakeDriver(log: FakeLog): AgentDriver {
  return {
    name: 'fake',
    capabilities: { resume: true, transcript: false, permissions: true, questions: true },
    async start(ctx, opts) {
      log.contexts.set(ctx.record.id, ctx);
      log.calls.push(`start:${opts.resume}`);
      ctx.report({ state: 'idle', cause: 'fake:start' });
    },
    onHook(ctx, hook) {
      log.hooks.push({ ...hook, sessionId: ctx.record.id });
      if (hook.event === 'PermissionRequest') {
        ctx.report({
          state: 'permission_prompt', cause: 'hook:PermissionRequest',
          pendingPermission: {
            kind: 'tool', tool: 'Bash', detail: String(hook.body.command ?? ''),
            options: [{ number: 1, label: 'Yes', kind: 'allow_once' }, { number: 2, label: 'No', kind: 'reject_once' }],
          },
        });
      } else if (hook.event === 'Question') {
        ctx.report({
          state: 'ask_question', cause: 'hook:Question',
          pendingQuestion: { question: 'Which?', options: [{ number: 1, label: 'A' }, { number: 2, label: 'B' }] },
        });
      } else if (hook.event === 'Stop') {
        ctx.report({ state: 'idle', cause: 'hook:Stop' });
      } else if (hook.event === 'Exit') {
        ctx.report({ state: 'exited', cause: 'hook:Exit' });
      }
    },
    async send(ctx, text) {
      ctx.appendTranscript([{ role: 'user', text }, { role: 'assistant', text: `echo ${text}` }]);
      ctx.addUsage({ inputTokens: 10, outputTokens: 5 });
      ctx.countToolCall('Bash');
      ctx.report({ state: 'working', cause: 'fake:send' });
      return { delivered: true, attempts: 1 };
    },
    async approve(ctx, option) {
      log.calls.push(`approve:${option ?? ''}`);
      ctx.report({ state: 'working', cause: 'fake:approved' });
    },
    async reject(ctx) {
      log.calls.push('reject');
      ctx.report({ state: 'idle', cause: 'fake:rejected' });
    },
    async answer(ctx, answer) {
      log.calls.push(`answer:${JSON.stringify(answer)}`);
      ctx.report({ state: 'working', cause: 'fake:answered' });
    },
    metrics: () => ({ hooksSeen: log.hooks.length }),
    async interrupt() { log.calls.push('interrupt'); },
    async escape() { log.calls.push('escape'); },
  };
}

/** A catalogue entry registering the fake driver, plus the log it fills. */
export function fakeDriverPlugin(): { log: FakeLog; catalogue: Catalogue } {
  const log: FakeLog = { contexts: new Map(), hooks: [], calls: [] };
  const plugin = fp(async (app) => { app.sessions.addAgent(createFakeDriver(log)); }, { name: 'fake-driver', dependencies: ['sessions'] });
  return { log, catalogue: { 'fake-driver': { load: async () => ({ default: plugin }), enabledByDefault: true, description: 'test driver' } } };
}
