import type { NextFunction, Request, Response } from 'express';

interface Pending {
  timer: NodeJS.Timeout;
  res: Response;
  done(elapsed: boolean): void;
}

/** No delay, from a rule, a header or the latency option, may hold a request longer than this. */
export const MAX_DELAY_MS = 60_000;

/**
 * Every delayed response waits here, so `cancelAll()` (called by `close()`) can clear the timers and
 * drop the connections: a delayed or faulted request never keeps a test runner alive.
 */
export class Delays {
  private readonly pending = new Set<Pending>();
  /** work to run later (delayed person writes), by the world that owns it */
  private readonly scheduled = new Map<NodeJS.Timeout, object>();

  /** Runs `fn` after `ms` (at most MAX_DELAY_MS), unless `cancelOwned(owner)` or `cancelAll()` comes first. */
  later(ms: number, owner: object, fn: () => void): void {
    const timer = setTimeout(
      () => {
        this.scheduled.delete(timer);
        fn();
      },
      Math.min(ms, MAX_DELAY_MS),
    );
    this.scheduled.set(timer, owner);
  }

  /** Drops the work `owner` scheduled with `later` (its world was reset). */
  cancelOwned(owner: object): void {
    for (const [timer, o] of this.scheduled) {
      if (o !== owner) continue;
      clearTimeout(timer);
      this.scheduled.delete(timer);
    }
  }

  /** work scheduled with `later` and not yet run */
  get scheduledCount(): number {
    return this.scheduled.size;
  }

  /** true once `ms` have passed; false when the client left or the delays were cancelled first */
  wait(ms: number, res: Response): Promise<boolean> {
    if (ms <= 0 || res.destroyed) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const onClose = (): void => p.done(false);
      const p: Pending = {
        res,
        timer: setTimeout(() => p.done(true), Math.min(ms, MAX_DELAY_MS)),
        done: (elapsed) => {
          if (!this.pending.delete(p)) return;
          clearTimeout(p.timer);
          res.off('close', onClose);
          resolve(elapsed);
        },
      };
      this.pending.add(p);
      res.once('close', onClose);
    });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Clears every pending delay and destroys its connection (the request is never answered); drops scheduled work. */
  cancelAll(): void {
    for (const timer of this.scheduled.keys()) clearTimeout(timer);
    this.scheduled.clear();
    for (const p of [...this.pending]) {
      p.done(false);
      p.res.socket?.destroy();
    }
  }
}

/** `latency`: a fixed delay in ms, or `[min, max]` drawn uniformly from the seeded latency stream. */
export type Latency = number | [number, number];

export function checkLatency(latency: unknown): Latency {
  const ok = (n: unknown): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_DELAY_MS;
  if (ok(latency)) return latency;
  if (
    Array.isArray(latency) &&
    latency.length === 2 &&
    ok(latency[0]) &&
    ok(latency[1]) &&
    latency[0] <= latency[1]
  ) {
    return [latency[0], latency[1]];
  }
  throw new TypeError(
    `latency must be whole milliseconds from 0 to ${MAX_DELAY_MS}, or [min, max] with min <= max; got ${JSON.stringify(latency)}`,
  );
}

/** Delays every API response by the latency option; a no-op without one. */
export function addLatency(latency: Latency, draw: () => number, delays: Delays) {
  const [min, max] = typeof latency === 'number' ? [latency, latency] : latency;
  return (_req: Request, res: Response, next: NextFunction): void => {
    const ms = min === max ? min : min + Math.floor(draw() * (max - min + 1));
    if (ms === 0) return next();
    void delays.wait(ms, res).then((elapsed) => {
      if (elapsed) next();
    });
  };
}
