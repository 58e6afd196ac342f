import { methodNotAllowed, notFound, requiredError, validationError } from '../http/errors';
import { RawResponse, type Context, type Operation } from '../http/operation';
import { pageJson, pageWindow } from '../http/pagination';
import { isUuid, PERSON_TIMELINE_CAP, PERSON_TIMELINE_KEYS_CAP, type Store } from '../store/store';
import type { Cohort, Person } from '../store/types';
import { now } from '../time';
import { activityOf, recordActivity, type ActivityChange, type ActivitySubject } from './activity';
import { matchesProperties, parseProperties } from './property-filters';
import { ownValue, personView, setOwn, userBasicOrNull } from './views';

const PERSONS = '/api/projects/:project_id/persons';
const PERSON = `${PERSONS}/:id`;

/** Ids of the request's project's persons, as the list orders them (newest created first), streamed. */
export const personIdsOf = (ctx: Context): Iterable<number> =>
  ctx.store.state.persons.ordered(ctx.project.id);

/** A person of the request's project by integer id or uuid, to read; anything else is 404 `Not found.`. */
export function findPerson(ctx: Context, id: string | undefined): Person {
  const { persons } = ctx.store.state;
  let person: Person | undefined;
  if (id !== undefined && /^\d+$/.test(id)) {
    person = persons.get(Number(id));
  } else if (id !== undefined && isUuid(id)) {
    const uuid = id.toLowerCase();
    person = persons.candidates(ctx.project.id, uuid).find((p) => p.uuid === uuid);
  }
  if (!person || person.team_id !== ctx.project.id) throw notFound();
  return person;
}

/**
 * The world's own copy of a person found by findPerson, to change: taken once the request has been
 * checked, as handlers write nothing before that.
 */
const editable = (ctx: Context, person: Person): Person => ctx.store.state.persons.edit(person.id)!;

/**
 * A person's JSON as the docs show it, serialized once: kept until the person changes (or its project's
 * display-name properties do), so a page of persons is mostly string concatenation.
 */
export function personJson(store: Store, person: Person | number, team: number): string {
  const project = store.state.projects.get(team)!;
  const variant = JSON.stringify(project.person_display_name_properties);
  const id = typeof person === 'number' ? person : person.id;
  return store.state.persons.json(id, variant, (p) => JSON.stringify(personView(store, p)));
}

const jsonResponse = (json: string): RawResponse => new RawResponse('application/json; charset=utf-8', json);

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** the fields that are given (not undefined): spread after another source, they win only where given */
const given = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

const subject = (person: Person): ActivitySubject => ({
  scope: 'Person',
  item_id: String(person.id),
  team_id: person.team_id,
  name: person.uuid,
});

/**
 * Appends the person's current properties to its timeline (the source of properties_timeline). The oldest
 * points go once there are more than PERSON_TIMELINE_CAP, or more than PERSON_TIMELINE_KEYS_CAP property
 * entries in all (the newest point always stays). A point copies the key set only: values are never changed
 * in place (a write replaces them), so points share them with the person.
 */
function snapshot(person: Person): void {
  const points = person.timeline;
  const properties = { ...person.properties };
  points.push({ timestamp: now(), properties, size: Object.keys(properties).length });
  const size = (point: Person['timeline'][number]) => (point.size ??= Object.keys(point.properties).length);
  let entries = points.reduce((n, point) => n + size(point), 0);
  while (points.length > 1 && (points.length > PERSON_TIMELINE_CAP || entries > PERSON_TIMELINE_KEYS_CAP)) {
    entries -= size(points.shift()!);
  }
}

/**
 * Sets properties like a `$set` event: listed keys are set, other keys kept. Records an `updated` activity
 * with one change per key whose value changed, and a timeline point when anything changed.
 */
function setProperties(ctx: Context, person: Person, properties: Record<string, unknown>): void {
  const changes: ActivityChange[] = [];
  for (const [key, after] of Object.entries(properties)) {
    const had = Object.prototype.hasOwnProperty.call(person.properties, key);
    const before = had ? person.properties[key] : null;
    if (had && sameValue(before, after)) continue;
    changes.push({ type: 'Person', action: had ? 'changed' : 'created', field: key, before, after });
    setOwn(person.properties, key, after);
  }
  if (changes.length) snapshot(person);
  recordActivity(ctx, subject(person), 'updated', changes);
}

// ---------------------------------------------------------------- list filters

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** values in the order of their text (code units), for a sort */
function byText(a: unknown, b: unknown): number {
  const [x, y] = [text(a), text(b)];
  if (x < y) return -1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: Array.prototype.sort only asks whether a comparison is below 0, so 1 and 0 are the same answer to it
  return x > y ? 1 : 0;
}

/** what `search` looks in: email, name and distinct ids, lower-cased */
export const searchText = (p: Person): string =>
  [ownValue(p.properties, 'email'), ownValue(p.properties, 'name'), ...p.distinct_ids]
    .filter((v) => v !== undefined && v !== null)
    .map((v) => text(v).toLowerCase())
    .join('\n');

/**
 * The list's filters: distinct_id (exact), email (exact), search (substring), properties (JSON). The
 * persons an exact filter can name are decoded from its value (a handful, at any size); `search` reads a
 * per-project text cache for persons the world has not changed; `properties` must see every person, one
 * generated at a time (linear, a few microseconds a person).
 */
function* filterPersons(ctx: Context): Generator<number> {
  const { distinct_id, email, search, properties } = ctx.query;
  const { persons } = ctx.store.state;
  // an empty (or blank) `properties` parses to a group every person matches
  const groups = properties !== undefined ? parseProperties(properties) : undefined;
  const needle = search?.trim().toLowerCase();
  const exact = distinct_id ?? email;
  let ids: Iterable<number>;
  if (exact !== undefined) {
    const named = new Set(persons.candidates(ctx.project.id, exact).map((p) => p.id));
    ids = [...personIdsOf(ctx)].filter((id) => named.has(id));
  } else {
    ids = personIdsOf(ctx);
  }
  const digestOf = needle || groups ? persons.digests(ctx.project.id, searchText) : () => undefined;
  for (const id of ids) {
    // a person the world has not changed is judged on the base's digest, and read only when it passes
    const digest = digestOf(id);
    if (digest) {
      if (needle && !digest.text.includes(needle)) continue;
      if (groups && !matchesProperties(ctx.store, digest, groups)) continue;
      // the digest holds what `search` and `properties` read, so a pass is final and the person is not
      // read at all (but for a needle with a line break, which could span two fields of the text)
      if (exact === undefined && !needle?.includes('\n')) {
        yield id;
        continue;
      }
    }
    const p = persons.get(id)!;
    if (distinct_id !== undefined && !p.distinct_ids.includes(distinct_id)) continue;
    if (email !== undefined && ownValue(p.properties, 'email') !== email) continue;
    if (
      needle &&
      !searchText(p)
        .split('\n')
        .some((h) => h.includes(needle))
    )
      continue;
    if (groups && !matchesProperties(ctx.store, p, groups)) continue;
    yield id;
  }
}

/** One page of the list: views (and their JSON) are made for the page's persons only. */
function listPersons(ctx: Context): RawResponse {
  const window = pageWindow(ctx.req);
  const { persons } = ctx.store.state;
  const filtered = ['distinct_id', 'email', 'search', 'properties'].some(
    (name) => ctx.query[name] !== undefined && (name !== 'search' || ctx.query.search!.trim() !== ''),
  );
  const page: string[] = [];
  let count = 0;
  if (filtered) {
    for (const id of filterPersons(ctx)) {
      if (count >= window.offset && page.length < window.limit)
        page.push(personJson(ctx.store, id, ctx.project.id));
      count += 1;
    }
  } else {
    count = persons.count(ctx.project.id);
    let index = 0;
    for (const id of personIdsOf(ctx)) {
      if (index++ < window.offset) continue;
      if (page.length === window.limit) break;
      page.push(personJson(ctx.store, id, ctx.project.id));
    }
  }
  return pageJson(ctx.req, window, count, page);
}

// ---------------------------------------------------------------- cohorts

/** Cohort as PostHog's CohortSerializer shows it; membership is what the store last calculated. */
export function cohortView(store: Store, cohort: Cohort) {
  return {
    id: cohort.id,
    name: cohort.name,
    description: cohort.description,
    groups: [],
    deleted: false,
    filters: cohort.filters,
    is_calculating: false,
    created_by: userBasicOrNull(store, cohort.created_by_id),
    created_at: cohort.created_at,
    last_calculation: cohort.created_at,
    errors_calculating: 0,
    count: [...store.cohortMembers(cohort)].filter((id) => store.state.persons.has(id)).length,
    is_static: cohort.is_static,
  };
}

// ---------------------------------------------------------------- operations

interface SplitBody {
  main_distinct_id?: string | null;
}

export const personOperations: Operation[] = [
  {
    id: 'persons_list',
    method: 'GET',
    path: PERSONS,
    scope: 'person:read',
    response: 'PaginatedPersonList',
    status: 200,
    handler: listPersons,
  },
  {
    // Persons are made by ingesting events, never through this API (PostHog's own 405 detail).
    id: 'persons_create',
    method: 'POST',
    path: PERSONS,
    scope: 'person:write',
    status: 201,
    handler: (ctx) => {
      throw methodNotAllowed(
        ctx.req.method,
        ['GET', 'POST', 'HEAD', 'OPTIONS'],
        'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.',
      );
    },
  },
  {
    id: 'persons_retrieve',
    method: 'GET',
    path: PERSON,
    scope: 'person:read',
    response: 'Person',
    status: 200,
    handler: (ctx) => jsonResponse(personJson(ctx.store, findPerson(ctx, ctx.params.id), ctx.project.id)),
  },
  {
    // The docs answer 200 with the Person (the real server answers 202 with no body; behaviour notes §6).
    id: 'persons_update',
    method: 'PUT',
    path: PERSON,
    scope: 'person:write',
    request: 'PersonRequest',
    response: 'Person',
    status: 200,
    handler: (ctx: Context<{ properties: Record<string, unknown> }>) => {
      const found = findPerson(ctx, ctx.params.id);
      const { properties } = ctx.body;
      const person = editable(ctx, found);
      setProperties(ctx, person, properties);
      return jsonResponse(personJson(ctx.store, person, ctx.project.id));
    },
  },
  {
    id: 'persons_partial_update',
    method: 'PATCH',
    path: PERSON,
    scope: 'person:write',
    request: 'PatchedPersonRequest',
    response: 'Person',
    status: 200,
    handler: (ctx: Context<{ properties?: Record<string, unknown> }>) => {
      const found = findPerson(ctx, ctx.params.id);
      // PostHog requires `properties` on PATCH as on PUT (behaviour notes §5)
      const { properties } = ctx.body;
      if (properties === undefined) throw requiredError('properties');
      const person = editable(ctx, found);
      setProperties(ctx, person, properties);
      return jsonResponse(personJson(ctx.store, person, ctx.project.id));
    },
  },
  {
    // `?delete_events=true` is accepted; the mock keeps no events, so there is nothing more to remove.
    id: 'persons_destroy',
    method: 'DELETE',
    path: PERSON,
    scope: 'person:write',
    status: 204,
    handler: (ctx) => {
      const person = findPerson(ctx, ctx.params.id);
      // cohorts keep their calculated members; a deleted person is simply no longer found among them
      ctx.store.state.persons.delete(person.id);
      recordActivity(ctx, subject(person), 'deleted', null);
    },
  },
  {
    /**
     * `key` and `value` from the body (as the real server reads them) or the query (as the docs put them);
     * the body wins. A null value counts as missing, and `value` is checked before `key`, as PostHog does.
     * The published schema has no response body for this 200; the mock answers `{"success": true}` like
     * its sibling actions split and delete_property.
     */
    id: 'persons_update_property_create',
    method: 'POST',
    path: `${PERSON}/update_property`,
    scope: 'person:write',
    request: 'PersonUpdatePropertyRequest',
    response: 'PersonSuccess',
    status: 200,
    handler: (ctx: Context<{ key?: string; value?: unknown }>) => {
      const person = findPerson(ctx, ctx.params.id);
      const merged = ctx.validate<{ key?: string; value?: unknown }>('PersonUpdatePropertyRequest', {
        ...given({ key: ctx.query.key, value: ctx.query.value }),
        ...given({ key: ctx.body.key, value: ctx.body.value }),
      });
      if (merged.value === undefined || merged.value === null) throw requiredError('value');
      if (merged.key === undefined) throw requiredError('key');
      setProperties(ctx, editable(ctx, person), { [merged.key]: merged.value });
      return { success: true };
    },
  },
  {
    // `$unset` from the query (docs) or body (real server). Removing a key the person lacks is a no-op.
    id: 'persons_delete_property_create',
    method: 'POST',
    path: `${PERSON}/delete_property`,
    scope: 'person:write',
    request: 'PersonDeletePropertyRequest',
    response: 'PersonSuccess',
    status: 200,
    handler: (ctx: Context<{ $unset?: string }>) => {
      const person = findPerson(ctx, ctx.params.id);
      const { $unset: key } = ctx.validate<{ $unset?: string }>('PersonDeletePropertyRequest', {
        ...given({ $unset: ctx.query.$unset }),
        ...given({ $unset: ctx.body.$unset }),
      });
      if (key === undefined) throw requiredError('$unset');
      const changes: ActivityChange[] = [];
      if (Object.prototype.hasOwnProperty.call(person.properties, key)) {
        const target = editable(ctx, person);
        changes.push({
          type: 'Person',
          action: 'deleted',
          field: key,
          before: target.properties[key],
          after: null,
        });
        delete target.properties[key];
        snapshot(target);
      }
      recordActivity(ctx, subject(person), 'delete_property', changes);
      return { success: true };
    },
  },
  {
    /**
     * Every distinct id but the main one becomes a new person (new id and uuid, created now, no
     * properties), as PostHog's split_person does. Without `main_distinct_id` the first distinct id stays
     * and, as in PostHog, the person's properties are reset to `{}`. A `main_distinct_id` the person does
     * not have is rejected (PostHog would move every id away).
     */
    id: 'persons_split_create',
    method: 'POST',
    path: `${PERSON}/split`,
    scope: 'person:write',
    request: 'PersonSplitRequest',
    response: 'PersonSuccess',
    status: 200,
    handler: (ctx: Context<SplitBody>) => {
      const found = findPerson(ctx, ctx.params.id);
      const requested = ctx.body.main_distinct_id;
      if (requested && !found.distinct_ids.includes(requested)) {
        throw validationError(
          'invalid_input',
          `"${requested}" is not a distinct id of this person.`,
          'main_distinct_id',
        );
      }
      // checked: now the world's own copy, to change
      const person = editable(ctx, found);
      const original = [...person.distinct_ids];
      const main = requested || original[0];
      if (!requested && Object.keys(person.properties).length) {
        person.properties = {};
        snapshot(person);
      }
      for (const distinctId of original) {
        if (distinctId === main) continue;
        const at = now();
        const split: Person = {
          id: ctx.store.next('person'),
          uuid: ctx.store.uuid(),
          team_id: person.team_id,
          distinct_ids: [distinctId],
          properties: {},
          created_at: at,
          timeline: [{ timestamp: at, properties: {} }],
        };
        ctx.store.state.persons.add(split);
      }
      person.distinct_ids = main === undefined ? [] : [main];
      recordActivity(ctx, subject(person), 'split_person', [
        { type: 'Person', action: 'split', field: null, before: null, after: { distinct_ids: original } },
      ]);
      return { success: true };
    },
  },
  {
    id: 'persons_activity_retrieve',
    method: 'GET',
    path: `${PERSONS}/activity`,
    scope: 'activity_log:read',
    response: 'ActivityLogPage',
    status: 200,
    handler: (ctx) => activityOf(ctx, 'Person', undefined, ctx.project.id),
  },
  {
    id: 'persons_activity_retrieve_2',
    method: 'GET',
    path: `${PERSON}/activity`,
    scope: 'activity_log:read',
    response: 'ActivityLogPage',
    status: 200,
    handler: (ctx) => activityOf(ctx, 'Person', String(findPerson(ctx, ctx.params.id).id), ctx.project.id),
  },
  {
    /**
     * One point per recorded state of the person's properties, oldest first; each stands for one event
     * (the mock keeps no events). Effective range: the first point to now.
     */
    id: 'persons_properties_timeline_retrieve',
    method: 'GET',
    path: `${PERSON}/properties_timeline`,
    scope: null,
    response: 'PersonPropertiesTimeline',
    status: 200,
    handler: (ctx) => {
      const person = findPerson(ctx, ctx.params.id);
      const points = person.timeline.map((t) => ({
        timestamp: t.timestamp,
        properties: t.properties,
        relevant_event_count: 1,
      }));
      return {
        points,
        crucial_property_keys: [],
        effective_date_from: points[0]?.timestamp ?? person.created_at,
        effective_date_to: now(),
      };
    },
  },
  {
    /**
     * Values of person property `key` with how many persons of the project have each, most common first
     * (then by value). `value` keeps those containing it, case-insensitively. Null and empty values are
     * not counted, as PostHog's query skips them.
     */
    id: 'persons_values_retrieve',
    method: 'GET',
    path: `${PERSONS}/values`,
    scope: 'person:read',
    response: 'PersonPropertyValues',
    status: 200,
    handler: (ctx) => {
      const { key, value } = ctx.query;
      // no key: nothing to count (PostHog answers an empty list, behaviour notes §5)
      if (key === undefined || key === '') return [];
      const counts = new Map<string, { name: unknown; count: number }>();
      const { persons } = ctx.store.state;
      for (const personId of personIdsOf(ctx)) {
        const person = persons.get(personId)!;
        if (!Object.prototype.hasOwnProperty.call(person.properties, key)) continue;
        const name = person.properties[key];
        // (a property's value is JSON: never undefined)
        if (name === null || name === '') continue;
        if (value && !text(name).toLowerCase().includes(value.toLowerCase())) continue;
        const id = JSON.stringify(name);
        const entry = counts.get(id) ?? { name, count: 0 };
        entry.count += 1;
        counts.set(id, entry);
      }
      return [...counts.values()].sort((a, b) => b.count - a.count || byText(a.name, b.name));
    },
  },
  {
    id: 'persons_cohorts_retrieve',
    method: 'GET',
    path: `${PERSONS}/cohorts`,
    scope: ['person:read', 'cohort:read'],
    response: 'PersonCohorts',
    status: 200,
    handler: (ctx) => {
      const personId = ctx.query.person_id;
      if (personId === undefined || personId === '') throw requiredError('person_id');
      const person = findPerson(ctx, personId);
      const cohorts = [...ctx.store.state.cohorts.values()].filter(
        (c) => c.team_id === ctx.project.id && ctx.store.cohortMembers(c).has(person.id),
      );
      return { results: cohorts.map((c) => cohortView(ctx.store, c)) };
    },
  },
];
