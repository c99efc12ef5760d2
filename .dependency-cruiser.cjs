/**
 * The architecture's import rules (DESIGN.md §2), checked by `npm run lint` and CI.
 * A plugin's index.ts is its public surface, kernel/index.ts the kernel's; everything else in
 * a folder is private to it. Each rule's name is what a contributor sees when it is broken.
 */
const TESTS = '(\\.test\\.ts$|/test-helpers\\.ts$|/fixtures/|^test/)';

module.exports = {
  forbidden: [
    {
      name: 'plugin-imports-plugin-only-through-index',
      comment: "A plugin imports another plugin only through that plugin's index.ts; ask its owner to export what you need.",
      severity: 'error',
      from: { path: '^plugins/([^/]+)/' },
      to: { path: '^plugins/[^/]+/', pathNot: ['^plugins/$1/', '^plugins/[^/]+/index\\.ts$'] },
    },
    {
      name: 'example-imports-plugins-only-through-index',
      comment: "An out-of-tree plugin sees first-party plugins only through their index.ts, like any plugin.",
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^plugins/[^/]+/', pathNot: '^plugins/[^/]+/index\\.ts$' },
    },
    {
      name: 'plugin-imports-kernel-only-through-index',
      comment: "Plugins (and out-of-tree examples) import the kernel only from kernel/index.ts; the test kit in test/support may reach further.",
      severity: 'error',
      from: { path: '^(plugins|examples)/' },
      to: { path: '^kernel/', pathNot: '^kernel/index\\.ts$' },
    },
    {
      name: 'kernel-imports-no-plugin',
      comment: 'The kernel never imports a plugin (or the catalogue): it resolves plugins by name at boot.',
      severity: 'error',
      from: { path: '^kernel/', pathNot: TESTS },
      to: { path: '^(plugins|examples)/' },
    },
    {
      name: 'server-code-imports-no-test-kit',
      comment: 'Server code never imports the test kit or a test helper.',
      severity: 'error',
      from: { path: '^(kernel|plugins|bin|examples)/|^server\\.ts$', pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'dashboard-imports-server-only-through-index',
      comment: "The browser app sees the server's kernel and plugins only through their index.ts, like a plugin.",
      severity: 'error',
      from: { path: '^dashboard/' },
      to: { path: '^(kernel|plugins)/', pathNot: '^(kernel/index|plugins/[^/]+/index)\\.ts$' },
    },
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only ones included: they blur which module owns what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
