/**
 * Copy-on-write collections. A `Table` reads through to a frozen base (the seeded world, shared by every
 * reset and every world forked from it) and keeps its own copies in an overlay: `reset()` is dropping the
 * overlay, and a snapshot is a copy of the overlay, so both cost what changed, not what exists.
 */

/** Freezes a plain-data value and everything in it, so that writing to the shared base throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** What a table's overlay holds: its own copies, and the base keys it deleted. */
export interface TableOverlay<K, V> {
  own: Map<K, V>;
  gone: Set<K>;
}

/**
 * A Map over a frozen base. `get` hands out a writable copy of a base entry (made on first access and kept
 * in the overlay); iteration hands out the base entries themselves, frozen, so a handler that writes to
 * what it iterated fails loudly instead of changing the seed: it must `get` the entry it changes.
 * Iteration order is the base's order (an overlaid entry in its base place), then entries added since.
 */
/** A table's secondary indexes: a name, and the key each entry is found by under it. */
export type Indexes<V> = Record<string, (value: V) => string>;

/** the base's indexes, built once per base (which never changes) and shared by every world over it */
const baseIndexes = new WeakMap<ReadonlyMap<unknown, unknown>, Map<string, Map<string, unknown[]>>>();

export class Table<K, V extends object> implements Iterable<[K, V]> {
  private own = new Map<K, V>();
  private gone = new Set<K>();
  /** index name -> index key -> keys of the world's own entries filed under it (at their last `set`) */
  private ownIndex = new Map<string, Map<string, Set<K>>>();

  constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly indexes: Indexes<V> = {},
  ) {}

  /** the entry as it is, without copying (for reading only) */
  private peek(key: K): V | undefined {
    return this.own.get(key) ?? (this.gone.has(key) ? undefined : this.base.get(key));
  }

  private baseIndex(name: string): Map<string, unknown[]> {
    let all = baseIndexes.get(this.base);
    if (!all) baseIndexes.set(this.base, (all = new Map()));
    let index = all.get(name);
    if (!index) {
      index = new Map();
      for (const [key, value] of this.base) {
        const at = this.indexes[name]!(value);
        index.set(at, [...(index.get(at) ?? []), key]);
      }
      all.set(name, index);
    }
    return index;
  }

  private fileOwn(key: K, value: V): void {
    for (const [name, keyOf] of Object.entries(this.indexes)) {
      let index = this.ownIndex.get(name);
      if (!index) this.ownIndex.set(name, (index = new Map()));
      const at = keyOf(value);
      let keys = index.get(at);
      if (!keys) index.set(at, (keys = new Set()));
      keys.add(key);
    }
  }

  /**
   * The entries filed under `at` in the index `name` (read-only, as iteration gives them), found through
   * the index, not by a scan. An entry changed in place is re-filed by `set`: write handlers `set` what
   * they change under an indexed field.
   */
  find(name: string, at: string): V[] {
    const keyOf = this.indexes[name];
    if (!keyOf) throw new Error(`table: no index ${name}`);
    const found: V[] = [];
    const seen = new Set<K>();
    for (const key of [
      ...((this.baseIndex(name).get(at) ?? []) as K[]),
      ...(this.ownIndex.get(name)?.get(at) ?? []),
    ]) {
      if (seen.has(key)) continue;
      seen.add(key);
      const value = this.peek(key);
      if (value !== undefined && keyOf(value) === at) found.push(value);
    }
    return found;
  }

  get size(): number {
    let n = this.base.size - this.gone.size;
    for (const key of this.own.keys()) if (!this.base.has(key)) n += 1;
    return n;
  }

  has(key: K): boolean {
    return this.own.has(key) || (!this.gone.has(key) && this.base.has(key));
  }

  get(key: K): V | undefined {
    const mine = this.own.get(key);
    if (mine !== undefined || this.gone.has(key)) return mine;
    const shared = this.base.get(key);
    if (shared === undefined) return undefined;
    const copy = structuredClone(shared) as V;
    this.own.set(key, copy);
    return copy;
  }

  set(key: K, value: V): this {
    this.gone.delete(key);
    this.own.set(key, value);
    this.fileOwn(key, value);
    return this;
  }

  delete(key: K): boolean {
    const had = this.has(key);
    this.own.delete(key);
    if (this.base.has(key)) this.gone.add(key);
    return had;
  }

  clear(): void {
    this.own.clear();
    this.ownIndex.clear();
    for (const key of this.base.keys()) this.gone.add(key);
  }

  *entries(): IterableIterator<[K, V]> {
    // keys first, so that entries deleted or added while iterating do not disturb the walk
    for (const key of [...this.base.keys()]) {
      if (this.gone.has(key)) continue;
      const value = this.own.get(key) ?? this.base.get(key);
      if (value !== undefined) yield [key, value];
    }
    for (const [key, value] of [...this.own])
      if (!this.base.has(key) && this.own.has(key)) yield [key, value];
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** The overlay as a value, with copies that still equal their base entry left out. */
  snapshot(): TableOverlay<K, V> {
    const own = new Map<K, V>();
    for (const [key, value] of this.own) {
      const shared = this.base.get(key);
      if (shared !== undefined && JSON.stringify(shared) === JSON.stringify(value)) continue;
      own.set(key, structuredClone(value));
    }
    return { own, gone: new Set(this.gone) };
  }

  restore(overlay: TableOverlay<K, V>): void {
    this.own = structuredClone(overlay.own);
    this.gone = new Set(overlay.gone);
    this.ownIndex = new Map();
    for (const [key, value] of this.own) this.fileOwn(key, value);
  }
}
