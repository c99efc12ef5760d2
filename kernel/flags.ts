/**
 * The value of a command-line flag given as `--name <value>` or `--name=<value>` (or one of its
 * aliases, e.g. `-c`): the value, `''` when the flag is there without one, undefined when absent.
 * The one parse of the server's and the CLI's flags, so `--config` and `--state-dir` read alike.
 */
export function flagValue(argv: readonly string[], name: string, ...aliases: string[]): string | undefined {
  const names = [name, ...aliases];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (names.includes(a)) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('-') ? '' : next;
    }
    const eq = names.find((n) => n.startsWith('--') && a.startsWith(`${n}=`));
    if (eq) return a.slice(eq.length + 1);
  }
  return undefined;
}
