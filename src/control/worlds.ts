import type { Request } from 'express';
import type { Controls } from './controls';
import { badControl } from './errors';

/** isolated worlds kept at most, by default: past it, the least recently used world is dropped */
export const DEFAULT_MAX_WORLDS = 1000;

/** the header a control-plane call names its key's world with (or the `key` query parameter) */
export const WORLD_KEY_HEADER = 'x-posthog-mock-key';

/**
 * The isolated worlds of `isolateByKey`: one per personal API key, made on first use as a copy of the
 * seeded start (store, empty journal, no fault rules). At most `max` are kept; past it the least recently
 * used world is dropped (a later request with its key starts a fresh copy), so a client cycling keys
 * cannot grow memory without bound.
 */
export class Worlds {
  private readonly byKey = new Map<string, Controls>();

  constructor(
    private readonly base: Controls,
    readonly max: number = DEFAULT_MAX_WORLDS,
  ) {
    if (!Number.isInteger(max) || max < 1 || max > 1_000_000) {
      throw new TypeError(`maxWorlds must be a whole number from 1 to 1000000; got ${String(max)}`);
    }
  }

  /** the key's world, made now if it has none (the least recently used one goes when past `max`) */
  forKey(key: string): Controls {
    let world = this.byKey.get(key);
    if (world) {
      // a Map iterates in insertion order: re-inserting keeps the least recently used first
      this.byKey.delete(key);
    } else {
      world = this.base.fork();
      if (this.byKey.size >= this.max) {
        const oldest = this.byKey.keys().next().value as string;
        this.byKey.delete(oldest);
      }
    }
    this.byKey.set(key, world);
    return world;
  }

  /** whether the key has a world now (does not make one, nor count as a use) */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/**
 * The key a control-plane call names: `X-PostHog-Mock-Key: <key>` or `?key=<key>` (not the
 * Authorization header, which carries the admin token). Undefined when neither is given.
 */
export function controlKey(req: Request): string | undefined {
  const header = req.headers[WORLD_KEY_HEADER];
  const query = req.query.key;
  if (query !== undefined && typeof query !== 'string') throw badControl('key must be given once.', 'key');
  if (Array.isArray(header)) throw badControl(`${WORLD_KEY_HEADER} must be given once.`, 'key');
  const key = (header ?? query)?.trim();
  if (key === '') throw badControl('key must not be blank.', 'key');
  return key;
}
