import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The Claude Code releases the end-to-end suite runs against (package.json devDependencies:
 * `@anthropic-ai/claude-code` and its `claude-code-latest` alias). Older ones are not supported;
 * newer ones usually work (the screen is read by meaning, hooks carry the state), so they start
 * with a warning rather than a refusal.
 */
export const TESTED_RANGE = { oldest: '2.1.197', newest: '2.1.332' } as const;

/** Where a version sits against the tested range. */
export type RangeVerdict = 'older' | 'tested' | 'newer' | 'unknown';

/** What the health detail says about the CLI Aegis would run. */
export interface ClaudeFound {
  command?: string;
  version?: string;
  tested: string;
  range: RangeVerdict;
  /** Why the command or its version is unknown. */
  error?: string;
}

function parts(v: string): number[] {
  return v.split('.').map((n) => Number.parseInt(n, 10) || 0);
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` (numeric dotted versions). */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Whether `version` is older than, inside or newer than the tested range. */
export function rangeOf(version: string | undefined): RangeVerdict {
  if (!version) return 'unknown';
  if (compareVersions(version, TESTED_RANGE.oldest) < 0) return 'older';
  if (compareVersions(version, TESTED_RANGE.newest) > 0) return 'newer';
  return 'tested';
}

/** The version `claude --version` prints (`2.1.332 (Claude Code)`), or undefined. Bounded in time. */
export async function readClaudeVersion(file: string): Promise<string | undefined> {
  const { stdout } = await promisify(execFile)(file, ['--version'], { timeout: 10000, env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
  return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
}
