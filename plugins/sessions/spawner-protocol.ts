/**
 * The spawner's wire format: one JSON object per line, the server writing to the spawner's stdin
 * and reading its stdout. Both ends import only this from each other: the types and the one line
 * reader (no imports of its own, so the spawner stays small).
 */
import type { PtySpawnRequest } from './pty-host.js';

/** Server -> spawner. `id` is the server's number for one process. */
export type ToSpawner =
  | ({ t: 'spawn'; id: number } & PtySpawnRequest)
  | { t: 'write'; id: number; data: string }
  | { t: 'resize'; id: number; cols: number; rows: number };

/** Spawner -> server. */
export type FromSpawner =
  | { t: 'spawned'; id: number; pid: number; startTime?: string }
  | { t: 'failed'; id: number; message: string }
  | { t: 'data'; id: number; data: string }
  | { t: 'exit'; id: number; code: number | null; signal: string | null };

/**
 * A stream's text chunks as messages, one JSON object per line (a line may span chunks). A line
 * that does not parse, or whose handling throws, goes to `bad` and the next line is read.
 */
export function jsonLines<T>(handle: (msg: T) => void, bad: (err: unknown) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      try {
        handle(JSON.parse(line) as T);
      } catch (err) {
        bad(err);
      }
    }
  };
}
