/**
 * The spawner's wire format: one JSON object per line, the server writing to the spawner's stdin
 * and reading its stdout. Types only; both ends import nothing else from each other.
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
