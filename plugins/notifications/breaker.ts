/** Circuit breaker states: closed (normal), open (holding deliveries), half-open (one trial). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one endpoint. After `threshold` failures in a row it opens and holds
 * every delivery for `cooldownMs`; then one trial delivery decides: success closes it, failure
 * opens it again. Rate limiting (429) is not a failure here: the endpoint answered.
 */
export class Breaker {
  state: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;

  constructor(private readonly threshold: number, private readonly cooldownMs: number) {}

  /** How many attempts may run at once now (0 while open; 1 for the half-open trial). */
  allowance(now: number, concurrency: number): number {
    if (this.state === 'open' && now >= this.openUntil) this.state = 'half-open';
    return this.state === 'closed' ? concurrency : this.state === 'half-open' ? 1 : 0;
  }

  /** When an open breaker lets a trial through. */
  get reopensAt(): number { return this.openUntil; }

  /** Records a success; returns true when this closed an open or half-open breaker. */
  success(): boolean {
    const was = this.state;
    this.state = 'closed';
    this.failures = 0;
    return was !== 'closed';
  }

  /** Records a failure; returns true when this opened the breaker. */
  failure(now: number): boolean {
    this.failures++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.threshold)) {
      this.state = 'open';
      this.openUntil = now + this.cooldownMs;
      return true;
    }
    return false;
  }

  get consecutiveFailures(): number { return this.failures; }
}
