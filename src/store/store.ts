import { Faker, en } from './faker';
import { notFound } from '../http/errors';
import { now } from '../time';
import { loadFixtures, type Fixtures } from './fixtures';
import { seedState, type SeedOptions } from './seed';
import { PersonTable, type PersonOverlay, type SeededPersons } from './people';
import { deepFreeze, Table, type Indexes, type TableOverlay } from './table';
import type {
  ActivityEntry,
  Cohort,
  Entities,
  Organization,
  PersonalApiKey,
  Project,
  SeedState,
  Sequences,
  State,
  User,
} from './types';

export type { SeedOptions } from './seed';

/** Runtime ids come from their own seeded stream, so the same requests on the same seed give the same ids. */
const RUNTIME_STREAM = 0x5eed;

/**
 * Caps on what grows with use, so a long-running mock keeps a bounded memory. Past a cap the oldest records
 * go first. (Counts of records; each record is itself bounded by the request body limit.)
 */
/** activity log entries in the whole store */
export const ACTIVITY_LOG_CAP = 10_000;
/** points of one person's properties timeline (its properties_timeline) */
export const PERSON_TIMELINE_CAP = 100;
/** property entries over all points of one person's timeline (the newest point is always kept) */
export const PERSON_TIMELINE_KEYS_CAP = 100_000;
/** job runs recorded on one plugin config */
export const PLUGIN_CONFIG_JOBS_CAP = 100;

/** Appends `item`, dropping the oldest items past `cap`. */
export function appendCapped<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);

const ENTITY_TABLES = [
  'organizations',
  'users',
  'memberships',
  'projects',
  'roles',
  'roleMemberships',
  'invites',
  'legalDocuments',
  'oauthApplications',
  'cohorts',
  'plugins',
  'pluginConfigs',
] as const satisfies readonly (keyof Entities)[];

/** A world's changes over the seeded world: what `snapshot()` gives and `restore()` takes. */
export interface StoreSnapshot {
  tables: { [K in keyof Entities]: TableOverlay<Entities[K][0], Entities[K][1]> };
  persons: PersonOverlay;
  activity: ActivityEntry[];
  sequences: Sequences;
}

/**
 * Freezes the seeded world, which every reset and every world shares and none may change. Its activity log
 * (seeded in seeding order, or loaded in any order) is put in time order once, here, so reads can walk it.
 */
function freezeSeed(seed: SeedState): SeedState {
  for (const name of ENTITY_TABLES) for (const value of seed[name].values()) deepFreeze(value);
  seed.activity.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  deepFreeze(seed.activity);
  return seed;
}

/**
 * The lookups kept in indexes (maintained on write) rather than found by a scan: a role by its name (unique
 * per organization, case-insensitively), a membership by organization and user (asked on every request).
 */
const INDEXES: { [K in keyof Entities]?: Indexes<Entities[K][1]> } = {
  roles: { name: (r) => roleNameKey(r.organization_id, r.name) },
  memberships: { member: (m) => memberKey(m.organization_id, m.user_id) },
};
export const roleNameKey = (organizationId: string, name: string): string =>
  `${organizationId}:${name.toLowerCase()}`;
export const memberKey = (organizationId: string, userId: number): string => `${organizationId}:${userId}`;

/** A world over the seeded one, with no changes yet. */
function worldOf(seed: SeedState): State {
  const tables = Object.fromEntries(
    ENTITY_TABLES.map((name) => [
      name,
      new Table(seed[name] as Map<unknown, object>, INDEXES[name] as Indexes<object> | undefined),
    ]),
  ) as unknown as { [K in keyof Entities]: Table<Entities[K][0], Entities[K][1]> };
  return {
    ...tables,
    activity: [...seed.activity],
    persons: new PersonTable(seed.persons),
    sequences: { ...seed.sequences },
  };
}

/** seeded cohorts' members, calculated once per seeded world (keyed by the cohort's team and rule) */
const matchedMembers = new WeakMap<SeededPersons, Map<string, Set<number>>>();
/** static cohorts' members as a set, per member list */
const listedMembers = new WeakMap<number[], Set<number>>();

/**
 * The in-memory store: a seeded world (frozen, shared) and this world's changes over it, copy-on-write.
 * `reset()` drops the changes, so it costs nothing whatever the size of the world; `snapshot()` and
 * `restore()` copy only the changes.
 */
export class Store {
  state: State;
  readonly options: SeedOptions;
  private readonly seeded: SeedState;
  /** set when the store starts from a loaded state: keeps its new ids apart from the seeded run's */
  private readonly salt: number | undefined;
  private faker: Faker;

  /** the fixture files the world is seeded around (the package's own unless given) */
  readonly fixtures: Fixtures;

  /**
   * Seeds a store from `options` around `fixtures` (the package's own by default), or, given `state`
   * (an imported one, which the store then owns), starts from that state instead; `reset()` returns to
   * it. New ids after a loaded state come from a stream salted by `salt`, so they do not repeat ids the
   * state already holds.
   */
  constructor(options: SeedOptions, from: { fixtures?: Fixtures; state?: SeedState; salt?: number } = {}) {
    this.options = options;
    this.fixtures = from.fixtures ?? loadFixtures();
    this.seeded = freezeSeed(from.state ?? seedState(options, this.fixtures));
    this.salt = from.state ? (from.salt ?? 1) : undefined;
    this.state = worldOf(this.seeded);
    this.faker = this.runtimeFaker();
  }

  /**
   * A new store over the same seeded world (shared, never written), drawing the same runtime ids: the
   * world of one key under `isolateByKey`. Costs an empty overlay.
   */
  fork(): Store {
    const copy = Object.create(Store.prototype) as Store;
    Object.assign(copy, {
      options: this.options,
      fixtures: this.fixtures,
      seeded: this.seeded,
      salt: this.salt,
    });
    copy.reset();
    return copy;
  }

  reset(): void {
    this.state = worldOf(this.seeded);
    this.faker = this.runtimeFaker();
  }

  snapshot(): StoreSnapshot {
    const tables = Object.fromEntries(ENTITY_TABLES.map((name) => [name, this.state[name].snapshot()]));
    return {
      tables: tables as StoreSnapshot['tables'],
      persons: this.state.persons.snapshot(),
      activity: structuredClone(this.state.activity),
      sequences: { ...this.state.sequences },
    };
  }

  restore(snapshot: StoreSnapshot): void {
    for (const name of ENTITY_TABLES) {
      (this.state[name] as Table<unknown, object>).restore(
        snapshot.tables[name] as TableOverlay<unknown, object>,
      );
    }
    this.state.persons.restore(snapshot.persons);
    this.state.activity = structuredClone(snapshot.activity);
    this.state.sequences = { ...snapshot.sequences };
  }

  /** A cohort's members: its list, or, for a seeded cohort, the seeded persons its rule matches. */
  cohortMembers(cohort: Cohort): Set<number> {
    if (!cohort.match) {
      let members = listedMembers.get(cohort.person_ids);
      if (!members) listedMembers.set(cohort.person_ids, (members = new Set(cohort.person_ids)));
      return members;
    }
    const base = this.seeded.persons;
    let cache = matchedMembers.get(base);
    if (!cache) matchedMembers.set(base, (cache = new Map()));
    const key = JSON.stringify([cohort.team_id, cohort.match]);
    let members = cache.get(key);
    if (!members) {
      const { property, values } = cohort.match;
      members = new Set<number>();
      for (const id of base.ordered(cohort.team_id)) {
        const person = base.get(id)!;
        const value = Object.prototype.hasOwnProperty.call(person.properties, property)
          ? person.properties[property]
          : '';
        if (values.includes(String(value ?? ''))) members.add(id);
      }
      cache.set(key, members);
    }
    return members;
  }

  private runtimeFaker(): Faker {
    const faker = new Faker({ locale: [en] });
    faker.seed(
      this.salt === undefined
        ? [this.options.seed, RUNTIME_STREAM]
        : [this.options.seed, RUNTIME_STREAM, this.salt],
    );
    return faker;
  }

  uuid(): string {
    return this.faker.string.uuid();
  }

  token(prefix: string, length = 43): string {
    return prefix + this.faker.string.alphanumeric(length);
  }

  next(sequence: keyof State['sequences']): number {
    this.state.sequences[sequence] += 1;
    return this.state.sequences[sequence];
  }

  user(id: number): User {
    const user = this.state.users.get(id);
    if (!user) throw new Error(`store: no user ${id}`);
    return user;
  }

  userByKey(key: string): User | undefined {
    return this.keyByValue(key)?.user;
  }

  /** the key record with this value, and its user */
  keyByValue(value: string): { user: User; key: PersonalApiKey } | undefined {
    for (const user of this.state.users.values()) {
      const key = user.personal_api_keys.find((k) => k.value === value);
      if (key) return { user: this.user(user.id), key };
    }
    return undefined;
  }

  /** `@current` is the user's current organization; anything else must be a known UUID. */
  organization(idOrCurrent: string, user: User): Organization {
    const id = idOrCurrent === '@current' ? user.current_organization_id : idOrCurrent;
    const org = isUuid(id) ? this.state.organizations.get(id.toLowerCase()) : undefined;
    if (!org) throw notFound('Organization not found.');
    return org;
  }

  /**
   * `@current` is the user's current project (set through PATCH /api/users/@me/) when it is in the current
   * organization, else that organization's first project; otherwise an integer id.
   */
  project(idOrCurrent: string, user: User): Project {
    let project: Project | undefined;
    if (idOrCurrent === '@current') {
      const chosen =
        user.current_team_id === undefined ? undefined : this.state.projects.get(user.current_team_id);
      const first =
        chosen?.organization === user.current_organization_id
          ? chosen
          : [...this.state.projects.values()].find((p) => p.organization === user.current_organization_id);
      // the world's own copy, as a caller may change it
      project = first && this.state.projects.get(first.id);
    } else if (/^\d+$/.test(idOrCurrent)) {
      project = this.state.projects.get(Number(idOrCurrent));
    }
    if (!project) throw notFound('Project not found.');
    return project;
  }

  /**
   * Records an entry in the activity log, which stays in time order (newest last; an entry goes after those
   * of its time) and keeps ACTIVITY_LOG_CAP entries. A new entry is the newest unless a loaded state holds
   * entries dated later than now: it then goes before those.
   */
  recordActivity(entry: Omit<ActivityEntry, 'id' | 'created_at' | 'was_impersonated' | 'is_system'>): void {
    const record = {
      id: this.uuid(),
      created_at: now(),
      was_impersonated: false,
      is_system: false,
      ...entry,
    };
    const log = this.state.activity;
    let at = log.length;
    while (at > 0 && log[at - 1]!.created_at > record.created_at) at--;
    log.splice(at, 0, record);
    if (log.length > ACTIVITY_LOG_CAP) log.splice(0, log.length - ACTIVITY_LOG_CAP);
  }
}
