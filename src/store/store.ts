import { Faker, en } from '@faker-js/faker';
import { notFound } from '../http/errors';
import { now } from '../time';
import { loadFixtures, type Fixtures } from './fixtures';
import { seedState, type SeedOptions } from './seed';
import type { ActivityEntry, Organization, PersonalApiKey, Project, State, User } from './types';

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

/**
 * The in-memory store: seeded once, cloned cheaply. `reset()` returns to the seeded state; `snapshot()`
 * and `restore()` let a test save and return to any state of its own.
 */
export class Store {
  state: State;
  readonly options: SeedOptions;
  private readonly seeded: State;
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
  constructor(options: SeedOptions, from: { fixtures?: Fixtures; state?: State; salt?: number } = {}) {
    this.options = options;
    this.fixtures = from.fixtures ?? loadFixtures();
    this.seeded = from.state ?? seedState(options, this.fixtures);
    this.salt = from.state ? (from.salt ?? 1) : undefined;
    this.state = structuredClone(this.seeded);
    this.faker = this.runtimeFaker();
  }

  /**
   * A new store with the same start (shared, never written: every reset copies it) and its own copy of it
   * to change, drawing the same runtime ids: the world of one key under `isolateByKey`. Costs one
   * structuredClone of the start.
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
    this.state = structuredClone(this.seeded);
    this.faker = this.runtimeFaker();
  }

  snapshot(): State {
    return structuredClone(this.state);
  }

  restore(snapshot: State): void {
    this.state = structuredClone(snapshot);
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
      if (key) return { user, key };
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
      project =
        chosen?.organization === user.current_organization_id
          ? chosen
          : [...this.state.projects.values()].find((p) => p.organization === user.current_organization_id);
    } else if (/^\d+$/.test(idOrCurrent)) {
      project = this.state.projects.get(Number(idOrCurrent));
    }
    if (!project) throw notFound('Project not found.');
    return project;
  }

  /** Appends to the activity log, which stays in time order (newest last) and keeps ACTIVITY_LOG_CAP entries. */
  recordActivity(entry: Omit<ActivityEntry, 'id' | 'created_at' | 'was_impersonated' | 'is_system'>): void {
    const record = {
      id: this.uuid(),
      created_at: now(),
      was_impersonated: false,
      is_system: false,
      ...entry,
    };
    appendCapped(this.state.activity, record, ACTIVITY_LOG_CAP);
  }
}
