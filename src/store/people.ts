import { en } from './faker';
import { isoMicro } from '../time';
import type { Person } from './types';

/**
 * Persons are generated on demand: person `j` of a project's seeded block is a pure function of (seed,
 * project, j), drawn from a small seeded generator of its own (a faker instance per person costs
 * microseconds to seed; this costs nanoseconds). Nothing is kept for a person until it is written, so a
 * world of a million persons per project starts as fast as a world of a thousand.
 *
 * The block's persons are created in id order, spread over the year before the seed's reference moment,
 * so the list order (newest first) is the block's ids from the highest down, merged with the few persons
 * kept as data (fixture persons, those made at run time, those of an imported state).
 *
 * Every generated identifier carries its person's id under a seeded 32-bit permutation (the last eight hex
 * digits of the uuid and of the anonymous distinct id, the digits before `@` in the email, the tail of the
 * device id), so looking a person up by any of them is decoding and checking, not searching.
 */

/** a project's generated persons: ids `first` .. `first + count - 1`, created from `fromMicros` on */
export interface PersonBlock {
  team: number;
  first: number;
  count: number;
  fromMicros: number;
  spanMicros: number;
}

// ------------------------------------------------------------------------------------ generator

/** lowbias32 (Wellons): a 32-bit permutation with good avalanche, and its inverse. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function unmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x43021123);
  x ^= (x >>> 15) ^ (x >>> 30);
  x = Math.imul(x, 0x1d69e2a5);
  x ^= x >>> 16;
  return x >>> 0;
}

/** mulberry32: a tiny seeded generator, one per person */
function generator(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [...en.person!.first_name!.generic!];
const LAST = [...en.person!.last_name!.generic!];
const LEGAL = [...(en.company!.legal_entity_type! as readonly string[])];
const DOMAINS = [...en.internet!.free_email!];
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Microsoft Edge', 'Opera'];
const OSES = ['Mac OS X', 'Windows', 'iOS', 'Android', 'Linux'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'AU', 'IN', 'BR', 'NL', 'ES'];
const PLANS = ['free', 'free', 'free', 'startup', 'scale', 'enterprise'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** what the person's identifiers are keyed with: one permutation key per kind of identifier */
interface Keys {
  uuid: number;
  anonymous: number;
  device: number;
  email: number;
}

const keysOf = (seed: number): Keys => ({
  uuid: mix32(seed ^ 0x9e3779b9),
  anonymous: mix32(seed ^ 0x85ebca6b),
  device: mix32(seed ^ 0xc2b2ae35),
  email: mix32(seed ^ 0x27d4eb2f),
});

const personGenerator = (seed: number, block: PersonBlock, j: number) =>
  generator(mix32(mix32(seed ^ mix32(block.team)) + j));

/** when person `j` of the block was created (in microseconds): its generator's first draw */
const createdMicros = (block: PersonBlock, j: number, first: number): number =>
  block.fromMicros + Math.floor(((j + first) * block.spanMicros) / block.count);

function generate(seed: number, keys: Keys, block: PersonBlock, j: number): Person {
  const id = block.first + j;
  const random = personGenerator(seed, block, j);
  const micros = createdMicros(block, j, random());
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const word = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[Math.floor(random() * ALNUM.length)];
    return s;
  };
  const hex = (digits: number): string =>
    Math.floor(random() * 16 ** digits)
      .toString(16)
      .padStart(digits, '0');

  const ms = Math.floor(micros / 1000);
  const created = isoMicro(ms, micros % 1000);
  // time-ordered, as PostHog's person uuids are (UUIDv7 layout), with the id under the last 8 digits
  const time = ms.toString(16).padStart(12, '0');
  const uuid = `${time.slice(0, 8)}-${time.slice(8)}-7${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(4)}${hex8(mix32(id ^ keys.uuid))}`;
  const anonymous = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(4)}${hex8(mix32(id ^ keys.anonymous))}`;

  const properties: Record<string, unknown> = {
    $browser: pick(BROWSERS),
    $os: pick(OSES),
    $geoip_country_code: pick(COUNTRIES),
  };
  const distinctIds = [anonymous];
  if (random() < 0.8) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const email = `${local}${mix32(id ^ keys.email)}@${pick(DOMAINS)}`;
    const company =
      random() < 0.5 ? `${pick(LAST)} ${pick(LEGAL)}` : `${pick(LAST)}, ${pick(LAST)} and ${pick(LAST)}`;
    Object.assign(properties, { email, name: `${first} ${last}`, plan: pick(PLANS), company });
    distinctIds.unshift(email);
    if (random() < 0.3)
      distinctIds.push(
        `${word(4)}${mix32(id ^ keys.device)
          .toString(36)
          .padStart(7, '0')}`,
      );
  }
  return {
    id,
    uuid,
    team_id: block.team,
    distinct_ids: distinctIds,
    properties,
    created_at: created,
    timeline: [{ timestamp: created, properties: { ...properties } }],
  };
}

/** the ids an identifier can name, by decoding it (each must still be checked against the person) */
function decodeIds(keys: Keys, value: string): number[] {
  const ids: number[] = [];
  const tail = /([0-9a-f]{8})$/i.exec(value);
  if (tail) {
    const n = parseInt(tail[1]!, 16);
    ids.push(unmix32(n) ^ keys.uuid, unmix32(n) ^ keys.anonymous);
  }
  const email = /(\d+)@[^@]*$/.exec(value);
  if (email && email[1]!.length <= 10) ids.push(unmix32(Number(email[1]) >>> 0) ^ keys.email);
  const device = /^[A-Za-z0-9]{4}([0-9a-z]{7})$/.exec(value);
  if (device) {
    const n = parseInt(device[1]!, 36);
    if (n <= 0xffffffff) ids.push(unmix32(n) ^ keys.device);
  }
  return ids.map((id) => id >>> 0);
}

/** what filters read of a person, cached for generated persons: see `SeededPersons.digest` */
export interface Digest {
  id: number;
  team_id: number;
  properties: Record<string, unknown>;
  /** the lower-cased text `search` looks in */
  text: string;
}

/** an ISO-8601 datetime with microseconds as microseconds since the epoch (what isoMicro formats) */
function microsOf(iso: string): number {
  const micros = /\.\d{3}(\d{3})Z$/.exec(iso);
  return Date.parse(iso) * 1000 + (micros ? Number(micros[1]) : 0);
}

/** list order: newest created first, then the higher id */
export const listOrder = (a: Person, b: Person): number =>
  a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id;

// ------------------------------------------------------------------------------------ the seeded base

/**
 * The seeded persons: generated blocks, and persons kept as data (frozen, shared by every world).
 * Read-only; `PersonTable` layers a world's changes over it.
 */
export class SeededPersons {
  private readonly keys: Keys;
  /** the kept persons of each team, in list order */
  private readonly keptByTeam = new Map<number, Person[]>();
  private readonly keptByUuid = new Map<string, number>();
  /** per team: where its kept persons fall in its generated block (see keptPlaces) */
  private readonly places = new Map<number, number[]>();
  /** kept persons by distinct id and by email */
  private readonly keptByDistinctId = new Map<string, number[]>();
  /** serialized views of generated persons, by id: [variant, JSON], the oldest dropped past JSON_CACHE_CAP */
  readonly jsonCache = new Map<number, [string, string]>();
  /** lazily built, per block: what filters read of each generated person (see `teamDigests`) */
  private readonly digests = new Map<number, Digest[]>();

  constructor(
    private readonly seed: number,
    readonly blocks: readonly PersonBlock[],
    private readonly kept: ReadonlyMap<number, Person>,
  ) {
    this.keys = keysOf(seed);
    for (const person of kept.values()) {
      const list = this.keptByTeam.get(person.team_id) ?? [];
      list.push(person);
      this.keptByTeam.set(person.team_id, list);
      this.keptByUuid.set(person.uuid, person.id);
      const email = Object.prototype.hasOwnProperty.call(person.properties, 'email')
        ? person.properties.email
        : undefined;
      for (const d of [...person.distinct_ids, ...(typeof email === 'string' ? [email] : [])]) {
        this.keptByDistinctId.set(d, [...(this.keptByDistinctId.get(d) ?? []), person.id]);
      }
    }
    for (const list of this.keptByTeam.values()) list.sort(listOrder);
  }

  private blockOf(id: number): PersonBlock | undefined {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.blocks[mid]!;
      if (id < b.first) hi = mid - 1;
      else if (id >= b.first + b.count) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  private teamBlock(team: number): PersonBlock | undefined {
    return this.blocks.find((b) => b.team === team);
  }

  /** the teams with persons kept as data */
  keptTeams(): number[] {
    return [...this.keptByTeam.keys()];
  }

  /** whether the base has this id (without generating the person) */
  owns(id: number): boolean {
    return this.kept.has(id) || this.blockOf(id) !== undefined;
  }

  teamOf(id: number): number | undefined {
    return this.kept.get(id)?.team_id ?? this.blockOf(id)?.team;
  }

  /** a fresh object for a generated person (changing it changes nothing), the frozen one for a kept one */
  get(id: number): Person | undefined {
    const kept = this.kept.get(id);
    if (kept) return kept;
    const block = this.blockOf(id);
    return block ? generate(this.seed, this.keys, block, id - block.first) : undefined;
  }

  count(team: number): number {
    return (this.teamBlock(team)?.count ?? 0) + (this.keptByTeam.get(team)?.length ?? 0);
  }

  /** the team's ids in list order, kept persons merged into the generated block by creation time */
  *ordered(team: number): Generator<number> {
    const kept = this.keptByTeam.get(team) ?? [];
    const block = this.teamBlock(team);
    let k = 0;
    if (block) {
      const from = this.keptPlaces(team, block, kept);
      for (let j = block.count - 1; j >= 0; j--) {
        // a kept person comes once every generated person created after it has come
        while (k < kept.length && j < from[k]!) yield kept[k++]!.id;
        yield block.first + j;
      }
    }
    while (k < kept.length) yield kept[k++]!.id;
  }

  /**
   * Where each kept person of the team falls in its block: the first j whose person comes before it in list
   * order. Creation times rise with j, so each is a binary search, made once per team.
   */
  private keptPlaces(team: number, block: PersonBlock, kept: Person[]): number[] {
    let places = this.places.get(team);
    if (!places) {
      const created = (j: number) => createdMicros(block, j, personGenerator(this.seed, block, j)());
      places = kept.map((person) => {
        const micros = microsOf(person.created_at);
        const before = (j: number) => {
          const at = created(j);
          return at > micros || (at === micros && block.first + j > person.id);
        };
        let lo = 0;
        let hi = block.count;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (before(mid)) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      });
      this.places.set(team, places);
    }
    return places;
  }

  /** base ids an identifier (uuid or distinct id) may belong to */
  candidates(value: string): number[] {
    const ids = [...decodeIds(this.keys, value).filter((id) => this.blockOf(id) !== undefined)];
    const uuid = this.keptByUuid.get(value);
    if (uuid !== undefined) ids.push(uuid);
    ids.push(...(this.keptByDistinctId.get(value) ?? []));
    return [...new Set(ids)];
  }

  /**
   * What the list's filters read of the team's generated persons (their properties, and the text `search`
   * looks in), from a per-block cache built by the first filter that needs it: one pass of generation,
   * after which filtering a block is reading the cache. By id: undefined outside the generated block.
   */
  teamDigests(team: number, text: (p: Person) => string): (id: number) => Digest | undefined {
    const block = this.teamBlock(team);
    if (!block) return () => undefined;
    const digests = this.digestsOf(block, text);
    const { first, count } = block;
    return (id) => (id >= first && id < first + count ? digests[id - first] : undefined);
  }

  private digestsOf(block: PersonBlock, text: (p: Person) => string): Digest[] {
    let digests = this.digests.get(block.team);
    if (!digests) {
      digests = new Array<Digest>(block.count);
      for (let j = 0; j < block.count; j++) {
        const person = generate(this.seed, this.keys, block, j);
        digests[j] = {
          id: person.id,
          team_id: person.team_id,
          properties: person.properties,
          text: text(person),
        };
      }
      this.digests.set(block.team, digests);
    }
    return digests;
  }

  *all(): Generator<Person> {
    for (const person of this.kept.values()) yield person;
    for (const block of this.blocks) {
      for (let j = 0; j < block.count; j++) yield generate(this.seed, this.keys, block, j);
    }
  }
}

// ------------------------------------------------------------------------------------ a world's persons

/** serialized views kept for persons the worlds have not changed (about 0.5 KB each) */
export const JSON_CACHE_CAP = 200_000;

/** What a world changed: persons written or made (`own`), deleted ids, deleted projects. */
export interface PersonOverlay {
  own: Map<number, Person>;
  gone: Set<number>;
  goneTeams: Set<number>;
}

/**
 * A world's persons: the seeded base with the world's changes over it. Reads (`get`, `ordered`) never copy;
 * `edit` copies one person into the overlay before it is changed. `reset` is a new overlay.
 */
export class PersonTable {
  private own = new Map<number, Person>();
  private gone = new Set<number>();
  private goneTeams = new Set<number>();

  /** serialized views of the world's own persons, dropped when `edit` hands the person out for a change */
  private ownJson = new WeakMap<Person, [string, string]>();

  constructor(readonly base: SeededPersons) {}

  /**
   * The person's serialized view for `variant` (what else the view depends on), made by `build` once and
   * reused until the person changes. A person the world has not changed is not even read on a hit.
   */
  json(id: number, variant: string, build: (person: Person) => string): string {
    const mine = this.own.get(id);
    if (mine) {
      const hit = this.ownJson.get(mine);
      if (hit && hit[0] === variant) return hit[1];
      const json = build(mine);
      this.ownJson.set(mine, [variant, json]);
      return json;
    }
    const cache = this.base.jsonCache;
    const hit = cache.get(id);
    if (hit && hit[0] === variant) return hit[1];
    const json = build(this.get(id)!);
    cache.set(id, [variant, json]);
    if (cache.size > JSON_CACHE_CAP) cache.delete(cache.keys().next().value!);
    return json;
  }

  private visible(id: number, team: number | undefined): boolean {
    return team !== undefined && !this.gone.has(id) && !this.goneTeams.has(team);
  }

  has(id: number): boolean {
    if (this.own.has(id)) return true;
    return this.visible(id, this.base.teamOf(id));
  }

  /** the person to read: not to be changed (a generated one is a fresh object, a kept one is frozen) */
  get(id: number): Person | undefined {
    const mine = this.own.get(id);
    if (mine) return mine;
    return this.visible(id, this.base.teamOf(id)) ? this.base.get(id) : undefined;
  }

  /** the person to change: the world's own copy, made on first write */
  edit(id: number): Person | undefined {
    const mine = this.own.get(id);
    if (mine) {
      this.ownJson.delete(mine);
      return mine;
    }
    const shared = this.get(id);
    if (!shared) return undefined;
    const copy = structuredClone(shared);
    this.own.set(id, copy);
    return copy;
  }

  /** a person made at run time */
  add(person: Person): void {
    this.own.set(person.id, person);
  }

  delete(id: number): void {
    this.own.delete(id);
    if (this.base.owns(id)) this.gone.add(id);
  }

  /** every person of a deleted project at once */
  deleteTeam(team: number): void {
    this.goneTeams.add(team);
    for (const [id, person] of this.own) if (person.team_id === team) this.own.delete(id);
  }

  /** persons made at run time in the team, in list order */
  private made(team: number): Person[] {
    return [...this.own.values()].filter((p) => p.team_id === team && !this.base.owns(p.id)).sort(listOrder);
  }

  count(team: number): number {
    if (this.goneTeams.has(team)) return this.made(team).length;
    let gone = 0;
    for (const id of this.gone) if (this.base.teamOf(id) === team) gone += 1;
    return this.base.count(team) - gone + this.made(team).length;
  }

  /** the team's ids in list order (newest first), streamed */
  *ordered(team: number): Generator<number> {
    const made = this.made(team);
    let m = 0;
    if (!this.goneTeams.has(team)) {
      for (const id of this.base.ordered(team)) {
        if (this.gone.has(id)) continue;
        if (m < made.length) {
          const person = this.get(id)!;
          while (m < made.length && listOrder(made[m]!, person) < 0) yield made[m++]!.id;
        }
        yield id;
      }
    }
    while (m < made.length) yield made[m++]!.id;
  }

  /**
   * The team's persons a uuid or distinct id may name: the base's decoded candidates and the world's own
   * persons, for the caller to check. A handful, whatever the size of the team.
   */
  candidates(team: number, value: string): Person[] {
    const found = new Map<number, Person>();
    for (const id of this.base.candidates(value)) {
      const person = this.get(id);
      if (person && person.team_id === team) found.set(id, person);
    }
    for (const person of this.own.values()) if (person.team_id === team) found.set(person.id, person);
    return [...found.values()];
  }

  /**
   * The team's digests (SeededPersons.teamDigests) for the persons this world has not changed, by id;
   * undefined for a person the world changed or made, which is to be read instead.
   */
  digests(team: number, text: (p: Person) => string): (id: number) => Digest | undefined {
    const digestOf = this.base.teamDigests(team, text);
    return (id) => (this.own.has(id) ? undefined : digestOf(id));
  }

  /** every person, kept and generated, in id order of the base then those made since */
  *values(): Generator<Person> {
    for (const seeded of this.base.all()) {
      if (this.gone.has(seeded.id) || this.goneTeams.has(seeded.team_id)) continue;
      yield this.own.get(seeded.id) ?? seeded;
    }
    for (const person of this.own.values()) if (!this.base.owns(person.id)) yield person;
  }

  /** every person's id, as `values()` orders them */
  *keys(): Generator<number> {
    for (const person of this.values()) yield person.id;
  }

  *entries(): Generator<[number, Person]> {
    for (const person of this.values()) yield [person.id, person];
  }

  [Symbol.iterator](): Generator<[number, Person]> {
    return this.entries();
  }

  /** how many persons there are in all (counting, not reading, the generated ones) */
  get size(): number {
    const teams = new Set([...this.base.blocks.map((b) => b.team), ...this.base.keptTeams()]);
    let n = 0;
    for (const team of teams) n += this.count(team);
    for (const person of this.own.values()) {
      if (!teams.has(person.team_id) && !this.base.owns(person.id)) n += 1;
    }
    return n;
  }

  /** the overlay as a value, with copies that still equal their base person left out */
  snapshot(): PersonOverlay {
    const own = new Map<number, Person>();
    for (const [id, person] of this.own) {
      const shared = this.base.owns(id) ? this.base.get(id) : undefined;
      if (shared && JSON.stringify(shared) === JSON.stringify(person)) continue;
      own.set(id, structuredClone(person));
    }
    return {
      own,
      gone: new Set(this.gone),
      goneTeams: new Set(this.goneTeams),
    };
  }

  restore(overlay: PersonOverlay): void {
    this.own = structuredClone(overlay.own);
    this.gone = new Set(overlay.gone);
    this.goneTeams = new Set(overlay.goneTeams);
  }
}
