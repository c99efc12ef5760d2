/** How an ACP request of ours ended. */
export type RequestOutcome = 'ok' | 'error' | 'timeout';

// Process-wide, like the agents themselves: `method -> outcome -> count`.
const counts = new Map<string, Map<RequestOutcome, number>>();

export function countRequest(method: string, outcome: RequestOutcome): void {
  const byOutcome = counts.get(method) ?? new Map<RequestOutcome, number>();
  counts.set(method, byOutcome);
  byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
}

/** Every ACP request this process has sent, by method and outcome (for the metrics plugin). */
export function acpRequestCounts(): Array<{ method: string; outcome: RequestOutcome; count: number }> {
  const out: Array<{ method: string; outcome: RequestOutcome; count: number }> = [];
  for (const [method, byOutcome] of counts) for (const [outcome, count] of byOutcome) out.push({ method, outcome, count });
  return out;
}
