import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './support/paths.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const CRUISER_CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');

/** Runs a tool; resolves with its exit code and output either way. */
async function tool(cwd: string, file: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(join(BIN, file), args, { cwd, maxBuffer: 16 * 1048576, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A small tree shaped like the repository, from `files` (path -> source). */
async function tree(t: { teardown(fn: () => unknown): void }, files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'aegis-boundaries-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }), ...files };
  for (const [path, source] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), source);
  }
  return root;
}

const cruise = (cwd: string) => tool(cwd, 'depcruise', ['kernel', 'plugins', '--config', CRUISER_CONFIG]);

const CLEAN = {
  'kernel/index.ts': "export { helper } from './helper.js';\n",
  'kernel/helper.ts': 'export const helper = 1;\n',
  'plugins/a/index.ts': "import { helper } from '../../kernel/index.js';\nexport { inner } from './inner.js';\nexport const a = helper;\n",
  'plugins/a/inner.ts': 'export const inner = 2;\n',
  'plugins/b/index.ts': "import { inner } from '../a/index.js';\nexport const b = inner;\n",
};

t.test('a tree that keeps the boundaries passes the boundary check', async (t) => {
  const res = await cruise(await tree(t, CLEAN));
  t.equal(res.code, 0, res.out);
});

t.test('a plugin reaching into another plugin\'s file fails the check naming the rule', async (t) => {
  const res = await cruise(await tree(t, { ...CLEAN, 'plugins/b/index.ts': "import { inner } from '../a/inner.js';\nexport const b = inner;\n" }));
  t.not(res.code, 0);
  t.match(res.out, /plugin-imports-plugin-only-through-index: plugins\/b\/index\.ts → plugins\/a\/inner\.ts/);
});

t.test('a plugin importing a kernel file other than its index fails naming the rule', async (t) => {
  const res = await cruise(await tree(t, { ...CLEAN, 'plugins/a/index.ts': "import { helper } from '../../kernel/helper.js';\nexport const a = helper;\n" }));
  t.not(res.code, 0);
  t.match(res.out, /plugin-imports-kernel-only-through-index: plugins\/a\/index\.ts → kernel\/helper\.ts/);
});

t.test('the kernel importing a plugin, or a type-only cycle, fails naming the rule', async (t) => {
  const res = await cruise(await tree(t, {
    ...CLEAN,
    'kernel/helper.ts': "import type { a } from '../plugins/a/index.js';\nexport const helper = 1;\nexport type A = typeof a;\n",
    'plugins/a/inner.ts': "import type { X } from './other.js';\nexport const inner = 2;\nexport type Y = X;\n",
    'plugins/a/other.ts': "import type { Y } from './inner.js';\nexport type X = Y | 1;\n",
  }));
  t.not(res.code, 0);
  t.match(res.out, /kernel-imports-no-plugin: kernel\/helper\.ts → plugins\/a\/index\.ts/);
  t.match(res.out, /no-cycles: plugins\/a\/(inner|other)\.ts → /);
});

t.test('the browser app reaching past a plugin\'s index fails naming the rule', async (t) => {
  const root = await tree(t, { ...CLEAN, 'dashboard/src/api.ts': "import type { inner } from '../../plugins/a/inner.js';\nexport type I = typeof inner;\n" });
  const res = await tool(root, 'depcruise', ['kernel', 'plugins', 'dashboard/src', '--config', CRUISER_CONFIG]);
  t.not(res.code, 0);
  t.match(res.out, /dashboard-imports-server-only-through-index: dashboard\/src\/api\.ts → plugins\/a\/inner\.ts/);
});

t.test('the linter fails on a bad file naming each rule', async (t) => {
  const config = JSON.parse(await readFile(join(REPO_ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
  delete config.$schema;
  const root = await tree(t, {
    'biome.json': JSON.stringify(config),
    'plugins/x/bad.ts': 'export function f(a: number) {\n  debugger;\n  return a == 1 || process.env.X;\n}\n',
  });
  const res = await tool(root, 'biome', ['lint', '--error-on-warnings']);
  t.not(res.code, 0);
  t.match(res.out, /lint\/suspicious\/noDebugger/);
  t.match(res.out, /lint\/suspicious\/noDoubleEquals/);
  t.match(res.out, /lint\/style\/noProcessEnv/, 'only kernel/config reads the environment');
});

t.test('the repository itself keeps its boundary and lint rules', async (t) => {
  const deps = await tool(REPO_ROOT, 'depcruise', ['kernel', 'plugins', 'bin', 'bench', 'examples', 'test', 'server.ts', 'dashboard/src', '--config', CRUISER_CONFIG]);
  t.equal(deps.code, 0, deps.out);
  const lint = await tool(REPO_ROOT, 'biome', ['lint', '--error-on-warnings']);
  t.equal(lint.code, 0, lint.out);
});
