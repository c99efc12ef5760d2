/** Output helpers: tables, colours only on a TTY, a spinner while waiting, JSON for scripts. */
import { cliEnv } from './env.js';

/** Where a command writes; tests and the MCP server pass their own. */
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

export const stdio: Io = { out: process.stdout, err: process.stderr };

const useColour = (s: { isTTY?: boolean }) => Boolean(s.isTTY) && !cliEnv().NO_COLOR;

const paint = (code: number) => (s: string, stream: { isTTY?: boolean } = process.stdout) =>
  useColour(stream) ? `\u001b[${code}m${s}\u001b[0m` : s;

export const colour = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) };

/** Prints `value` as indented JSON. */
export function printJson(io: Io, value: unknown): void {
  io.out.write(JSON.stringify(value, null, 2) + '\n');
}

/** Renders rows as an aligned text table with a header line. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** How long ago an ISO time was, in the largest whole unit. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * Runs `work` with a spinner on stderr when it is a TTY (and not in JSON mode); nothing is drawn
 * otherwise, so pipes and scripts see clean output.
 */
export async function withSpinner<T>(io: Io, label: string, work: () => Promise<T>, quiet = false): Promise<T> {
  if (quiet || !io.err.isTTY) return work();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => io.err.write(`\r${frames[i++ % frames.length]} ${label}`), 80);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    io.err.write('\r\u001b[K');
  }
}
