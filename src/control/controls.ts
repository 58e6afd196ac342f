import type { SeedOptions } from '../store/seed';
import { Store } from '../store/store';
import { Delays } from './delays';
import { Faults, type FaultRule, type FaultRuleInput } from './faults';
import { Journal, type JournalEntry, type JournalFilter } from './journal';
import { SeededRandom } from './random';
import { exportState, importState, type StateDocument } from './state';

export interface ControlsOptions {
  /** requests the journal keeps (default 1000; 0 turns it off) */
  journalSize?: number;
  /** pending delays to share (isolated worlds share the server's, so close() cancels them all) */
  delays?: Delays;
}

/** What `fault()` returns: the rule's id, its current state, and a way to remove it. */
export interface FaultHandle {
  id: string;
  /** the rule as it is now (remaining times, fires), or undefined once removed */
  rule(): FaultRule | undefined;
  remove(): boolean;
}

const FAULT_STREAM = 0xfa17;
const LATENCY_STREAM = 0x1a7e;

/**
 * Everything a test controls, in one object: the store being served, the request journal, the fault
 * rules and pending delays. The HTTP control plane (`/__mock/`) and `MockServer` both call these
 * methods, so the two behave the same.
 */
export class Controls {
  /** the store requests are served from */
  store: Store;
  readonly journal: Journal;
  readonly faults: Faults;
  readonly delays: Delays;
  /** the stream random latency is drawn from */
  readonly latencyRandom: SeededRandom;
  /** the store as the server started: what `reset()` returns to */
  private readonly start: Store;

  constructor(start: Store, options: ControlsOptions = {}) {
    this.start = start;
    this.store = start;
    const size = options.journalSize;
    if (size !== undefined && (!Number.isInteger(size) || size < 0 || size > 1_000_000)) {
      throw new TypeError(`journalSize must be a whole number from 0 to 1000000; got ${String(size)}`);
    }
    this.journal = new Journal(size);
    this.delays = options.delays ?? new Delays();
    this.faults = new Faults(start.options.seed ^ FAULT_STREAM);
    this.latencyRandom = new SeededRandom(start.options.seed ^ LATENCY_STREAM);
  }

  /**
   * One reset: the store to its start, the journal emptied, fault rules removed, random streams rewound,
   * delayed person writes dropped.
   */
  reset(): void {
    this.delays.cancelOwned(this);
    this.start.reset();
    this.store = this.start;
    this.journal.clear();
    this.faults.clear();
    this.latencyRandom.reset();
  }

  /** journaled requests, newest first */
  requests(filter?: JournalFilter): JournalEntry[] {
    return this.journal.find(filter);
  }

  countRequests(filter?: JournalFilter): number {
    return this.journal.count(filter);
  }

  clearRequests(): void {
    this.journal.clear();
  }

  /** Adds a fault rule (checked as POST /__mock/faults checks it). */
  fault(rule: FaultRuleInput): FaultHandle {
    const { id } = this.faults.add(rule);
    return {
      id,
      rule: () => this.faults.list().find((r) => r.id === id),
      remove: () => this.faults.remove(id),
    };
  }

  /** The current store as a versioned JSON document (GET /__mock/state). */
  state(): StateDocument {
    return exportState(this.store);
  }

  /**
   * Replaces the store with an exported document (PUT /__mock/state), after checking it; a bad one is a
   * 400 naming the problem and replaces nothing. `reset()` still returns to the start. Delayed person
   * writes to the replaced store are dropped.
   */
  load(document: unknown): void {
    this.store = storeFromDocument(document);
    this.delays.cancelOwned(this);
  }

  /**
   * Regenerates the store from seed options (POST /__mock/seed); `reset()` still returns to the start.
   * Delayed person writes to the replaced store are dropped.
   */
  seed(options: SeedOptions): void {
    this.store = new Store(options, { fixtures: this.store.fixtures });
    this.delays.cancelOwned(this);
  }

  /**
   * A world of its own for `isolateByKey`: an empty overlay over this start's seeded world (shared, never
   * written), an empty journal of the same size, no fault rules, the same random streams; delays shared
   * with this one.
   */
  fork(): Controls {
    return new Controls(this.start.fork(), { journalSize: this.journal.size, delays: this.delays });
  }

  /** Clears pending delays and drops their connections; nothing is left holding the event loop. */
  close(): void {
    this.delays.cancelAll();
  }
}

/** FNV-1a over a string: a cheap, stable salt for the ids a loaded state goes on to issue. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A store that starts from an exported document (checked first), for `load()` and the `state` option. */
export function storeFromDocument(document: unknown): Store {
  const { options, state } = importState(document);
  return new Store(options, { state, salt: hash(JSON.stringify(document)) });
}
