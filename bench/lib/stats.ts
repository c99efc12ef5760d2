/**
 * The `p`th percentile of `xs` (nearest rank: the value at floor(p% of n), the last for p = 100),
 * NaN for no samples. `xs` is not changed. One definition for every benchmark, so their figures
 * mean the same thing.
 */
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
