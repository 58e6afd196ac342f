import { types } from 'node:util';
import { ApiError } from './http/errors';
import { RawResponse, type Context, type Operation, type Query } from './http/operation';
import { PersonTable } from './store/people';
import { isUuid } from './store/store';
import { Table } from './store/table';
import type { PersonalApiKey } from './store/types';

/**
 * Two profiles: `docs` answers as PostHog's published docs say (the default), `live` as PostHog's server
 * answers where it differs from them (the README's "Differences from live PostHog"). Handlers always
 * build the docs answer; under `live`, dispatch turns it into the live one through LIVE below, the one
 * place each difference is written.
 */
export const PROFILES = ['docs', 'live'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** How live PostHog answers one operation where it differs from its docs. */
export interface LiveDifference {
  /** the live success status */
  status: 200 | 201 | 202;
  /** the live answer has no body at all */
  empty?: true;
  /** the live body, made from the docs profile's body (absent: the docs body as it is) */
  transform?(docsBody: unknown, ctx: Context): unknown;
  /** the schema of the live body (schemas/live/, without .json), where its shape is not the docs' */
  response?: string;
  /** the request as the live server reads it, before the handler runs */
  request?(ctx: Context): void;
  /**
   * a person write live PostHog applies through its event pipeline: under `personWriteDelay` it is
   * answered at once and applied later
   */
  personWrite?: true;
  /** the body of a person write answered before it runs (under personWriteDelay): live PostHog's constant */
  accepted?: unknown;
  /** what live PostHog does, in a few words (the tests name it) */
  behaviour: string;
}

/** the seed's anonymous fixture ids (anon-...); SDKs' own anonymous ids are UUIDs */
const ANONYMOUS_ID = /^anon[-_]/i;

/** One item of live PostHog's persons list: keyed by uuid, with the fields its list serializer adds. */
function livePerson(person: Record<string, unknown>) {
  const distinctIds = person.distinct_ids as string[];
  return {
    type: 'person',
    id: person.uuid,
    uuid: person.uuid,
    name: person.name,
    distinct_ids: distinctIds,
    properties: person.properties,
    created_at: person.created_at,
    // identified once a distinct id of the user's choosing joins the person ($identify)
    is_identified: distinctIds.some((id) => !isUuid(id) && !ANONYMOUS_ID.test(id)),
    // the mock keeps no events: the person's one known sighting is its creation
    last_seen_at: person.created_at,
  };
}

/** `?include_total` counts as given when present and not empty (any truthy query value). */
const includeTotal = (query: Query): boolean =>
  query.include_total !== undefined && query.include_total !== '';

/** The keys of a user that reach an organization: unscoped, or scoped to it or to one of its projects. */
function keysReaching(ctx: Context, keys: PersonalApiKey[]): PersonalApiKey[] {
  const projects = new Set(
    [...ctx.store.state.projects.values()].filter((p) => p.organization === ctx.org.id).map((p) => p.id),
  );
  return keys.filter((key) => {
    if (key.scoped_organizations?.length && !key.scoped_organizations.includes(ctx.org.id)) return false;
    if (key.scoped_teams?.length && !key.scoped_teams.some((id) => projects.has(id))) return false;
    return true;
  });
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Every operation where live PostHog answers differently from its docs, by operation id. */
export const LIVE: Readonly<Record<string, LiveDifference>> = {
  persons_update: {
    status: 202,
    empty: true,
    personWrite: true,
    behaviour: 'PUT of a person answers 202 with no body: the write goes through the event pipeline',
  },
  persons_partial_update: {
    status: 202,
    empty: true,
    personWrite: true,
    behaviour: 'PATCH of a person answers 202 with no body: the write goes through the event pipeline',
  },
  persons_destroy: {
    status: 202,
    empty: true,
    personWrite: true,
    behaviour: 'DELETE of a person answers 202 (newest PostHog), not 204',
  },
  persons_update_property_create: {
    status: 202,
    empty: true,
    personWrite: true,
    request: (ctx) => {
      // the live server reads `key` and `value` from the body only
      ctx.query = Object.fromEntries(
        Object.entries(ctx.query).filter(([name]) => name !== 'key' && name !== 'value'),
      );
    },
    behaviour: 'update_property answers 202 with no body and reads key/value from the body only',
  },
  persons_delete_property_create: {
    status: 201,
    personWrite: true,
    accepted: { success: true },
    behaviour: 'delete_property answers 201 {"success": true}',
  },
  persons_split_create: {
    status: 201,
    personWrite: true,
    accepted: { success: true },
    behaviour: 'split answers 201 {"success": true}',
  },
  persons_list: {
    status: 200,
    response: 'live/PaginatedPersonList',
    transform: (body, ctx) => {
      const { count, next, previous, results } = body as {
        count: number;
        next: string | null;
        previous: string | null;
        results: Record<string, unknown>[];
      };
      return {
        ...(includeTotal(ctx.query) ? { count } : {}),
        next,
        previous,
        results: results.map(livePerson),
      };
    },
    behaviour:
      'the persons list keys items by uuid, adds type, is_identified and last_seen_at, and gives count only with include_total',
  },
  invites_bulk_create: {
    status: 201,
    behaviour: 'bulk invites answer 201 with the created invites',
  },
  members_scoped_api_keys_retrieve: {
    status: 200,
    response: 'live/ScopedApiKeys',
    transform: (body, ctx) => {
      const uuid = (body as { user: { uuid: string } }).user.uuid;
      const user = [...ctx.store.state.users.values()].find((u) => u.uuid === uuid);
      const keys = keysReaching(ctx, user?.personal_api_keys ?? []);
      const weekAgo = Date.now() - WEEK_MS;
      return {
        has_keys: keys.length > 0,
        has_keys_active_last_week: keys.some(
          (k) => k.last_used_at !== null && Date.parse(k.last_used_at) >= weekAgo,
        ),
        keys: keys.map((k) => ({ name: k.label, last_used_at: k.last_used_at })),
      };
    },
    behaviour:
      'scoped_api_keys answers {has_keys, has_keys_active_last_week, keys} about the keys reaching the organization',
  },
  plugin_configs_job_create: {
    status: 200,
    empty: true,
    behaviour: 'a plugin-config job answers 200 with no body',
  },
};

/** A response with no body (as the docs' 204s and live PostHog's 202s). */
export const NO_BODY = Symbol('no body');

export interface Answer {
  status: number;
  body: unknown;
}

/** Runs `fn` after `ms` unless the world is reset or the server closed first. */
export type Defer = (ms: number, fn: () => void) => void;

export interface ProfileOptions {
  /** `docs` (default): as PostHog's docs say; `live`: as PostHog's server answers where they differ */
  profile?: ProfileName;
  /**
   * Under `live`, person writes (PUT, PATCH, DELETE, update_property, delete_property, split) are checked
   * and answered at once and applied this many milliseconds later, as PostHog's event pipeline applies
   * them: reads before then see the old state. Default 0: applied at once.
   */
  personWriteDelay?: number;
}

/** The most `personWriteDelay` may be (the same bound as every other delay). */
export const MAX_PERSON_WRITE_DELAY_MS = 60_000;

/**
 * A profile over the operation table: how each operation is answered. Under `docs` that is the handler's
 * answer with the operation's status; under `live`, LIVE's difference for the operation, if any.
 */
export class Profile {
  readonly name: ProfileName;
  readonly personWriteDelay: number;

  constructor(options: ProfileOptions = {}) {
    const name = options.profile ?? 'docs';
    if (!(PROFILES as readonly string[]).includes(name)) {
      throw new TypeError(`profile must be one of ${PROFILES.join(', ')}; got ${JSON.stringify(name)}`);
    }
    const delay = options.personWriteDelay ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_PERSON_WRITE_DELAY_MS) {
      throw new TypeError(
        `personWriteDelay must be whole milliseconds from 0 to ${MAX_PERSON_WRITE_DELAY_MS}; got ${JSON.stringify(delay)}`,
      );
    }
    if (delay > 0 && name !== 'live') {
      throw new TypeError("personWriteDelay applies to the live profile only: set profile: 'live'");
    }
    this.name = name;
    this.personWriteDelay = delay;
  }

  /** the operation's live difference, when this profile is `live` and the operation has one */
  difference(op: Operation): LiveDifference | undefined {
    return this.name === 'live' ? LIVE[op.id] : undefined;
  }

  /** Runs the operation's handler and answers as this profile does. */
  answer(op: Operation, ctx: Context, defer: Defer): Answer {
    const live = this.difference(op);
    if (!live) {
      const body = op.handler(ctx);
      return { status: op.status, body: op.status === 204 ? NO_BODY : body };
    }
    live.request?.(ctx);
    const body =
      live.personWrite && this.personWriteDelay > 0
        ? writeLater(op, ctx, live, this.personWriteDelay, defer)
        : op.handler(ctx);
    if (live.empty) return { status: live.status, body: NO_BODY };
    if (!live.transform) return { status: live.status, body };
    // a body the handler serialized already (a persons page) is transformed as the JSON it is
    const docs =
      body instanceof RawResponse && body.contentType.startsWith('application/json')
        ? JSON.parse(body.body)
        : body;
    return { status: live.status, body: live.transform(docs, ctx) };
  }
}

/**
 * A person write as PostHog's event pipeline makes it: checked now, applied `ms` later by running the
 * handler on the store as it is then. The check is a dry run of the handler over a read-only view of the
 * store, stopped at its first write: handlers look up their object and check the body before they write
 * anything (dispatch's rule), so a bad body or an unknown person is answered at once, and reaching a write
 * means the write will be accepted. The dry run reads only what the handler reads. A write that no longer
 * applies when its time comes (its person deleted meanwhile) is dropped, as the pipeline drops it.
 */
function writeLater(op: Operation, ctx: Context, live: LiveDifference, ms: number, defer: Defer): unknown {
  let body: unknown = live.accepted;
  try {
    body = op.handler(readOnlyContext(ctx));
  } catch (err) {
    if (!(err instanceof WouldWrite)) throw err;
  }
  defer(ms, () => {
    try {
      op.handler(ctx);
    } catch (err) {
      if (!(err instanceof ApiError)) console.error('posthog-mock: a delayed person write failed', err);
    }
  });
  return body;
}

/** Thrown by the read-only view at a handler's first write. */
class WouldWrite extends Error {}

const wouldWrite = (): never => {
  throw new WouldWrite('a dry run reached a write');
};

const COLLECTION_WRITES = new Set<PropertyKey>(['set', 'add', 'delete', 'clear']);
/** the store's tables' writes: `edit` (a person's writable copy) is the intent to change one */
const TABLE_WRITES = new Set<PropertyKey>([...COLLECTION_WRITES, 'edit', 'deleteTeam']);

/** The request's context over a read-only view of its store, project and organization. */
function readOnlyContext(ctx: Context): Context {
  const views = new WeakMap<object, object>();
  const store = Object.create(ctx.store, {
    state: { value: readOnly(ctx.store.state, views) },
  }) as Context['store'];
  return Object.create(ctx, {
    store: { value: store },
    project: { value: readOnly(ctx.project, views) },
    org: { value: readOnly(ctx.org, views) },
  }) as Context;
}

/**
 * A view of `value` that reads like it, all the way down (Maps and Sets included), and throws WouldWrite
 * on any change. One view per object, so identity comparisons hold within a dry run.
 */
function readOnly<T>(value: T, views: WeakMap<object, object>): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = views.get(value);
  if (known) return known as T;
  const wrap = <V>(v: V): V => readOnly(v, views);
  // (util.types, not instanceof: structuredClone makes its Maps in Node's own realm, which under jest's vm
  // is not the code's)
  const collection = types.isMap(value) || types.isSet(value);
  const view = new Proxy(value, {
    get(target, key) {
      const v: unknown = Reflect.get(target, key, target);
      const table = target instanceof Table || target instanceof PersonTable;
      if (table && typeof v === 'function' && TABLE_WRITES.has(key)) return wouldWrite;
      if (!collection || typeof v !== 'function') return collection ? v : wrap(v);
      if (COLLECTION_WRITES.has(key)) return wouldWrite;
      const method = v as (...args: unknown[]) => unknown;
      if (key === 'forEach') {
        return (fn: (v: unknown, k: unknown, self: unknown) => void) =>
          (target as unknown as Map<unknown, unknown>).forEach((v2, k) => fn(wrap(v2), wrap(k), view));
      }
      return (...args: unknown[]) => {
        const result = method.apply(target, args);
        if (key === 'get') return wrap(result);
        if (key === 'entries' || (key === Symbol.iterator && types.isMap(target))) {
          return (function* () {
            for (const [k, v2] of result as Iterable<[unknown, unknown]>) yield [k, wrap(v2)];
          })();
        }
        if (key === 'values' || key === 'keys' || key === Symbol.iterator) {
          return (function* () {
            for (const v2 of result as Iterable<unknown>) yield wrap(v2);
          })();
        }
        return result;
      };
    },
    set: wouldWrite,
    deleteProperty: wouldWrite,
    defineProperty: wouldWrite,
    setPrototypeOf: wouldWrite,
  });
  views.set(value, view);
  return view;
}
