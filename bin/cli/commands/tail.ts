import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { SessionView } from '../../../plugins/sessions/index.js';
import { clientOptions, run } from '../action.js';
import { resolveTarget, type GlobalOptions } from '../context.js';
import { Client, seg } from '../client.js';
import { colour, type Io } from '../output.js';

interface Entry { id: string; index: number; role: string; text: string; at?: string; toolName?: string }

/** How often the session and its transcript are read. */
const POLL_MS = 500;

/**
 * Follows a session by reading its record and its transcript from where it left off. The events
 * stream is not part of this server yet; when it is, this loop can listen to it instead.
 */
export async function follow(c: Client, id: string, io: Io, json: boolean, signal: AbortSignal, fromStart: boolean): Promise<number> {
  let offset = 0;
  if (!fromStart) {
    const first = await c.get<{ total: number }>(`/v1/sessions/${seg(id)}/transcript`, { limit: 1 });
    offset = Math.max(0, first.total - 10);
  }
  let status: string | undefined;
  const emit = (obj: Record<string, unknown>, human: string) => io.out.write(json ? JSON.stringify(obj) + '\n' : human + '\n');
  while (!signal.aborted) {
    const s = await c.get<SessionView>(`/v1/sessions/${seg(id)}`);
    for (;;) {
      const page = await c.get<{ entries: Entry[]; total: number }>(`/v1/sessions/${seg(id)}/transcript`, { offset, limit: 100 });
      for (const e of page.entries) {
        const who = e.role === 'assistant' ? colour.green(e.role, io.out) : e.role === 'user' ? colour.bold(e.role, io.out) : colour.dim(e.role, io.out);
        emit({ type: 'transcript', sessionId: id, entry: e }, `${who}${e.toolName ? ` ${e.toolName}` : ''}: ${e.text}`);
      }
      offset += page.entries.length;
      if (page.entries.length === 0 || offset >= page.total) break;
    }
    if (s.status !== status) {
      emit({ type: 'state', sessionId: id, status: s.status, cause: s.stateCause, pendingPermission: s.pendingPermission },
        colour.dim(`[${status ? `${status} -> ` : ''}${s.status}${s.stateCause ? `: ${s.stateCause}` : ''}]`, io.out)
          + (s.pendingPermission ? `\n${colour.yellow('waiting for approval', io.out)}: ${s.pendingPermission.tool} ${s.pendingPermission.detail}` : ''));
      status = s.status;
    }
    if (s.status === 'exited') return 0;
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
  }
  return 0;
}

/** `ag tail ID`: the session's state changes and transcript, live, until Ctrl-C or its exit. */
export function registerTail(program: Command, io: Io): void {
  clientOptions(program.command('tail')
    .description('follow a session\'s state and transcript live until Ctrl-C (or until it exits)')
    .argument('<id>', 'session id')
    .option('--from-start', 'print the whole transcript first, not only the last 10 entries'))
    .action(run(io, async (id: string, opts: GlobalOptions & { fromStart?: boolean }) => {
      const c = new Client(await resolveTarget(opts));
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        return await follow(c, id, io, Boolean(opts.json), ac.signal, Boolean(opts.fromStart));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }));
}
