/**
 * A small seeded random stream (mulberry32): the same seed gives the same draws, so a run with
 * probabilistic faults or random latency repeats exactly. `Math.random` would not.
 */
export class SeededRandom {
  private state: number;

  constructor(private readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** back to the first draw */
  reset(): void {
    this.state = this.seed >>> 0;
  }

  /** a number in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
