// Bundles the dashboard: Lit elements in TypeScript (esbuild strips the types), resolved from
// node_modules, minified by terser, every file named by its content hash so it can be cached for
// good. The terminal (xterm.js) is a separate chunk, loaded only by the pages that show one.
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, 'dist');

/** `import css from 'x.css'` gives the file's text, for Lit's `unsafeCSS` in a shadow root. */
const cssText = () => ({
  name: 'css-text',
  transform(code, id) {
    if (id.endsWith('.css')) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return null;
  },
});

/** Writes index.html with the hashed entry name, and starts from an empty folder. */
const html = () => ({
  name: 'html',
  buildStart() { rmSync(out, { recursive: true, force: true }); },
  generateBundle(_options, bundle) {
    const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
    const source = readFileSync(join(here, 'index.html'), 'utf8').replace('%ENTRY%', `/dashboard/${entry.fileName}`);
    this.emitFile({ type: 'asset', fileName: 'index.html', source });
  },
});

export default {
  input: join(here, 'src', 'main.ts'),
  output: {
    dir: out,
    format: 'es',
    entryFileNames: 'assets/[name]-[hash].js',
    chunkFileNames: 'assets/[name]-[hash].js',
    assetFileNames: 'assets/[name]-[hash][extname]',
  },
  plugins: [
    html(),
    cssText(),
    nodeResolve({ browser: true }),
    esbuild({ tsconfig: join(here, 'tsconfig.json'), target: 'es2022', minify: false }),
    terser({ format: { comments: false } }),
  ],
};
