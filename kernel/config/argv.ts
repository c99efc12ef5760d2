/** The `--config <file>` / `-c <file>` / `--config=<file>` argument, if given. */
export function configFlag(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a === '-c');
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--config='));
  return eq?.slice('--config='.length);
}
