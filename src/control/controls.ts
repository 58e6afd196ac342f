import type { Store } from '../store/store';

/**
 * Everything a test controls, in one object: the store being served and what it returns to on reset.
 * The HTTP control plane (`/__mock/`) and `MockServer` both call these methods, so the two stay the same.
 */
export class Controls {
  /** the store requests are served from */
  store: Store;
  /** the store as the server started: what `reset()` returns to */
  private readonly start: Store;

  constructor(start: Store) {
    this.start = start;
    this.store = start;
  }

  /** Returns the store to the state it started in. */
  reset(): void {
    this.start.reset();
    this.store = this.start;
  }
}
