import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/**
 * The Claude Code versions the end-to-end suite runs against: the oldest supported release and
 * the newest tested one, both installed as devDependencies (the newest through an npm alias).
 */
export const CLAUDE_BUILDS = {
  oldest: '@anthropic-ai/claude-code',
  latest: 'claude-code-latest',
} as const;

/** Which build a test run uses. */
export type ClaudeBuild = keyof typeof CLAUDE_BUILDS;

/** One installed CLI: its build name, version and executable. */
export interface TestClaude {
  build: ClaudeBuild;
  version: string;
  /** Absolute real path of the native executable. */
  path: string;
}

/** The installed CLI of `build`. */
export function claudeBuild(build: ClaudeBuild): TestClaude {
  const dir = join(REPO_ROOT, 'node_modules', CLAUDE_BUILDS[build]);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  return { build, version: pkg.version, path: realpathSync(join(dir, pkg.bin.claude!)) };
}

/**
 * The CLI this test process drives: `AEGIS_TEST_CLAUDE=oldest|latest` (default oldest), so one
 * test file runs against either end of the supported range.
 */
export function testClaude(): TestClaude {
  const want = process.env.AEGIS_TEST_CLAUDE ?? 'oldest';
  if (!(want in CLAUDE_BUILDS)) throw new Error(`AEGIS_TEST_CLAUDE must be one of ${Object.keys(CLAUDE_BUILDS).join(', ')}`);
  return claudeBuild(want as ClaudeBuild);
}
