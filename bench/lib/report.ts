import { appendFileSync } from 'node:fs';

/**
 * One measured figure and the goal it is held to. A bench prints its own detail as before and
 * also calls `figure` for each headline number; `bench/run` collects them into one table.
 */
export interface Figure {
  /** What was measured, e.g. "200 creates at once, p50". Unique within its bench. */
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'KiB' | 's' | 'lines' | 'count' | '/s';
  /** The goal: the value must be at most (`<=`, `<`) or at least (`>=`) `limit`. */
  target?: { op: '<=' | '<' | '>='; limit: number };
  /** Anything a reader needs to read the figure (load, baseline). */
  note?: string;
}

/** Where figures go: a JSON-lines file named by the runner (absent when a bench runs alone). */
const OUT = process.env.AEGIS_BENCH_FIGURES;

/** Whether a figure meets its target (undefined without one, or for a NaN value). */
export function meets(f: Figure): boolean | undefined {
  if (!f.target || Number.isNaN(f.value)) return undefined;
  const { op, limit } = f.target;
  return op === '<=' ? f.value <= limit : op === '<' ? f.value < limit : f.value >= limit;
}

/** Records a figure for the runner's table. Prints nothing; the bench prints its own lines. */
export function figure(f: Figure): void {
  if (OUT) appendFileSync(OUT, `${JSON.stringify(f)}\n`);
}
