import { createHash } from 'node:crypto';
import { requiredError, validationError, type ApiError } from '../http/errors';
import { RawResponse, type Context, type Operation } from '../http/operation';
import { linkTo } from '../http/pagination';
import { MAX_JSON_DEPTH, nestingExceeds, pyType } from '../http/validation';
import { now } from '../time';
import { isObject, matchesProperties, parseProperties, type PropertyGroup } from './property-filters';
import { personIdsOf, personJson, searchText } from './persons';
import { personView } from './views';

/**
 * People of an insight: the persons behind one point of a funnel, trend, lifecycle, stickiness, path or
 * retention insight. The mock has no events, so the insight's people are the project's persons chosen
 * deterministically from the filter: the same filter always gives the same people in the same order, a
 * different filter (another `funnel_step`, `date_from`, entity...) gives other people.
 *
 * - `properties` (person property filters, or cohort membership) narrows the candidates to the matching
 *   persons, all of which are returned. Without it, a share of the project's persons (40-90%, fixed per
 *   filter) is chosen.
 * - Funnels are nested: the people of step k+1 are a strict subset of the people of step k (until nobody
 *   is left); a negative step -k gives the people who reached step k-1 but not step k (PostHog's drop-offs).
 * - Filter parameters are read from the query string and, for POST, from the body (body wins, as PostHog's
 *   Filter(request=...) merges them); `limit`/`offset` from the query string first, so `next` links work.
 */

const PERSONS = '/api/projects/:project_id/persons';
const DEFAULT_LIMIT = 100;

type Param =
  | { type: 'int'; min?: number; nonZero?: boolean }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'bool' }
  | { type: 'date' }
  | { type: 'string' }
  /** any scalar or JSON value (breakdown values may be strings, numbers or lists) */
  | { type: 'raw' }
  | { type: 'json'; shape: 'array' | 'object' }
  | { type: 'properties' };

const int = (min?: number): Param => ({ type: 'int', min });
const choice = (...values: string[]): Param => ({ type: 'choice', values });
const date: Param = { type: 'date' };
const string: Param = { type: 'string' };
const raw: Param = { type: 'raw' };
const jsonArray: Param = { type: 'json', shape: 'array' };
const jsonObject: Param = { type: 'json', shape: 'object' };

const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'];
const MATHS = [
  'total',
  'dau',
  'weekly_active',
  'monthly_active',
  'unique_session',
  'unique_group',
  'first_time_for_user',
  'first_matching_event_for_user',
  'hogql',
  'sum',
  'min',
  'max',
  'avg',
  'median',
  'p75',
  'p90',
  'p95',
  'p99',
];
const BREAKDOWN_TYPES = [
  'event',
  'event_metadata',
  'person',
  'cohort',
  'group',
  'session',
  'hogql',
  'data_warehouse',
  'data_warehouse_person_property',
];

/** Every filter parameter the mock reads, with how PostHog's Filter classes parse it. */
export const FILTER_PARAMS: Record<string, Param> = {
  date_from: date,
  date_to: date,
  properties: { type: 'properties' },
  interval: choice(...INTERVALS),
  events: jsonArray,
  actions: jsonArray,
  entity_id: raw,
  entity_type: choice('events', 'actions', 'data_warehouse'),
  entity_math: choice(...MATHS),
  breakdown: raw,
  breakdown_type: choice(...BREAKDOWN_TYPES),
  breakdown_value: raw,
  funnel_step: { type: 'int', nonZero: true },
  funnel_step_breakdown: raw,
  funnel_custom_steps: jsonArray,
  funnel_window_days: int(1),
  funnel_window_interval: int(1),
  funnel_window_interval_unit: choice('second', 'minute', 'hour', 'day', 'week', 'month'),
  funnel_order_type: choice('strict', 'unordered', 'ordered'),
  funnel_viz_type: choice('steps', 'time_to_convert', 'trends'),
  funnel_correlation_type: choice('events', 'properties', 'event_with_properties'),
  funnel_correlation_person_entity: jsonObject,
  funnel_correlation_person_converted: { type: 'bool' },
  funnel_correlation_property_values: jsonArray,
  target_date: date,
  lifecycle_type: choice('new', 'returning', 'resurrecting', 'dormant'),
  stickiness_days: int(1),
  selected_interval: int(0),
  period: choice('Hour', 'Day', 'Week', 'Month'),
  total_intervals: int(1),
  retention_type: choice('retention_recurring', 'retention_first_time'),
  target_entity: jsonObject,
  returning_entity: jsonObject,
  path_start_key: string,
  path_end_key: string,
  path_dropoff_key: string,
  start_point: string,
  end_point: string,
  step_limit: int(1),
  include_event_types: jsonArray,
};

const COMMON = ['date_from', 'date_to', 'properties'];
const ENTITY = ['events', 'actions', 'entity_id', 'entity_type', 'entity_math', 'interval'];
const BREAKDOWN = ['breakdown', 'breakdown_type', 'breakdown_value'];
const FUNNEL = [
  'funnel_step',
  'funnel_step_breakdown',
  'funnel_custom_steps',
  'funnel_window_days',
  'funnel_window_interval',
  'funnel_window_interval_unit',
  'funnel_order_type',
  'funnel_viz_type',
  'events',
  'actions',
  'interval',
  ...BREAKDOWN,
];

interface InsightKind {
  name: string;
  /** the filter parameters it reads, checked in this order (only the first problem is reported) */
  params: string[];
  /** parameters PostHog refuses to go without */
  required?: string[];
  /** answers PostHog's cached-result envelope (initial, missing_persons, is_cached, last_refresh) */
  cached: boolean;
  funnel?: boolean;
}

export const KINDS = {
  funnel: { name: 'funnel', params: [...COMMON, ...FUNNEL], cached: true, funnel: true },
  correlation: {
    name: 'funnel/correlation',
    params: [
      ...COMMON,
      ...FUNNEL,
      'funnel_correlation_type',
      'funnel_correlation_person_entity',
      'funnel_correlation_person_converted',
      'funnel_correlation_property_values',
    ],
    cached: true,
  },
  trends: { name: 'trends', params: [...COMMON, ...ENTITY, ...BREAKDOWN], cached: true },
  lifecycle: {
    name: 'lifecycle',
    params: ['target_date', 'lifecycle_type', ...COMMON, ...ENTITY],
    required: ['target_date', 'lifecycle_type'],
    cached: false,
  },
  stickiness: { name: 'stickiness', params: ['stickiness_days', ...COMMON, ...ENTITY], cached: false },
  path: {
    name: 'path',
    params: [
      ...COMMON,
      'path_start_key',
      'path_end_key',
      'path_dropoff_key',
      'start_point',
      'end_point',
      'step_limit',
      'include_event_types',
    ],
    cached: true,
  },
  retention: {
    name: 'retention',
    params: [
      'selected_interval',
      'period',
      'total_intervals',
      'retention_type',
      'target_entity',
      'returning_entity',
      'breakdown_value',
      ...COMMON,
    ],
    cached: false,
  },
} satisfies Record<string, InsightKind>;

// ---------------------------------------------------------------------------------------------------------
// Parsing the filter

const RELATIVE_DATE = /^(-?\d+[hdwmqyMs](Start|End)?|[hdwmqy]Start|all)$/;
const ABSOLUTE_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseValue(name: string, param: Param, value: unknown): unknown {
  const invalid = (detail: string): ApiError => validationError('invalid_input', detail, name);
  switch (param.type) {
    case 'int': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
            ? +value
            : NaN;
      if (!Number.isInteger(n)) throw invalid('A valid integer is required.');
      if (param.min !== undefined && n < param.min) {
        throw validationError(
          'min_value',
          `Ensure this value is greater than or equal to ${param.min}.`,
          name,
        );
      }
      if (param.nonZero && n === 0) throw invalid("Funnel steps are 1-indexed, so step 0 doesn't exist.");
      return n;
    }
    case 'choice':
      if (typeof value !== 'string' || !param.values.includes(value)) {
        throw validationError('invalid_choice', `"${String(value)}" is not a valid choice.`, name);
      }
      return value;
    case 'bool': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' || typeof value === 'number') {
        const s = String(value).toLowerCase();
        if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
        if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
      }
      throw invalid('Must be a valid boolean.');
    }
    case 'date': {
      // Stryker disable next-line StringLiteral: a non-string is refused whatever text stands in for it
      const s = typeof value === 'string' ? value.trim() : '';
      const absolute = ABSOLUTE_DATE.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T')));
      if (!absolute && !RELATIVE_DATE.test(s)) {
        throw invalid(
          'Date has wrong format. Use one of these formats instead: YYYY-MM-DD, ' +
            'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z], a relative date such as -7d, or all.',
        );
      }
      return s;
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw invalid('Not a valid string.');
    case 'raw':
      return value;
    case 'json': {
      let parsed = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          throw invalid('Value must be valid JSON.');
        }
      }
      if (nestingExceeds(parsed, MAX_JSON_DEPTH)) {
        throw invalid(`Nesting deeper than ${MAX_JSON_DEPTH} levels is not allowed.`);
      }
      if (param.shape === 'array' && !Array.isArray(parsed)) {
        throw invalid(`Expected a list of items but got type "${pyType(parsed)}".`);
      }
      if (param.shape === 'object' && (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))) {
        throw invalid(`Expected a dictionary of items but got type "${pyType(parsed)}".`);
      }
      return parsed;
    }
    case 'properties':
      return parseProperties(value);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Choosing the people

const hash = (text: string): number =>
  parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
/** a number in [0, 1) fixed by the text */
const unit = (text: string): number => hash(text) / 2 ** 48;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  }
  return value;
};

interface Filter {
  values: Record<string, unknown>;
  properties?: PropertyGroup;
  limit: number;
  offset: number;
  csv: boolean;
}

const pageNumber = (value: unknown): number | undefined => {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !/^\s*\d+\s*$/.test(s)) return undefined;
  return Number(s);
};

function readFilter(ctx: Context, kind: InsightKind): Filter {
  // (a GET has no body: the body parser leaves it {})
  const body = isObject(ctx.body) ? ctx.body : {};
  const input: Record<string, unknown> = { ...ctx.query, ...body };
  const values: Record<string, unknown> = {};
  let properties: PropertyGroup | undefined;
  for (const name of kind.required ?? []) {
    if (([undefined, null, ''] as unknown[]).includes(input[name])) throw requiredError(name);
  }
  for (const name of kind.params) {
    const value = input[name];
    if (value === undefined || value === null || name in values) continue;
    if (value === '' && FILTER_PARAMS[name]!.type !== 'string') continue;
    const parsed = parseValue(name, FILTER_PARAMS[name]!, value);
    if (name === 'properties') {
      properties = parsed as PropertyGroup;
      if (properties.values.length === 0) properties = undefined;
    }
    values[name] = canonical(parsed);
  }
  const format = input.format;
  if (format !== undefined && format !== 'csv' && format !== 'json') {
    throw validationError('invalid_choice', `"${String(format)}" is not a valid choice.`, 'format');
  }
  // pagination: the query string first, so the `next` links (which set it there) work for POST bodies too
  const limit = pageNumber(ctx.query.limit) ?? pageNumber(body.limit);
  const offset = pageNumber(ctx.query.offset) ?? pageNumber(body.offset);
  return {
    values,
    properties,
    limit: limit || DEFAULT_LIMIT,
    offset: offset ?? 0,
    csv: format === 'csv',
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The insight's people: how many there are, and the one at each rank of their fixed order. */
export interface People {
  count: number;
  at(rank: number): number;
}

/**
 * The insight's people, in their fixed order: the project's persons (those the properties match), taken
 * in an order fixed by the filter (a permutation of their positions, `rank -> (a * rank + b) mod n`,
 * with `a` and `b` drawn from the filter), so that only the page asked for is read.
 */
export function peopleOf(ctx: Context, kind: InsightKind, filter: Filter): People {
  const { funnel_step: step, ...rest } = filter.values;
  // funnel steps share one ordering, so that each step's people are a subset of the previous step's
  const key = JSON.stringify([kind.name, kind.funnel ? rest : filter.values]);
  const { persons } = ctx.store.state;
  let ids = [...personIdsOf(ctx)];
  if (filter.properties) {
    // a person the world has not changed is judged on the base's digest (what filters read of it)
    const digestOf = persons.digests(ctx.project.id, searchText);
    const read = (id: number) => digestOf(id) ?? persons.get(id)!;
    ids = ids.filter((id) => matchesProperties(ctx.store, read(id), filter.properties!));
  }
  const n = ids.length;
  let a = n > 1 ? 1 + (hash(`${key}:a`) % (n - 1)) : 1;
  while (gcd(a, n) !== 1) a += 1;
  // (with no persons b is 0, and no rank is ever read)
  const b = hash(`${key}:b`) % Math.max(n, 1);
  const at = (rank: number): number => ids[(a * rank + b) % n]!;
  const entered = filter.properties ? n : Math.round(n * (0.4 + 0.5 * unit(key)));
  if (!kind.funnel) return { count: entered, at };
  // Each step keeps 55-85% of the previous step's people (fixed per filter and step), and at least one
  // fewer: the steps run out after at most `entered` of them, so the work is bounded by the persons,
  // whatever step is asked for.
  const reached = (k: number): number => {
    let m = entered;
    for (let i = 2; i <= k && m > 0; i++) {
      m = Math.min(m - 1, Math.round(m * (0.55 + 0.3 * unit(`${key}:step${i}`))));
    }
    return m;
  };
  const k = typeof step === 'number' ? step : 1;
  // -k: dropped off at step k, i.e. reached step k-1 but not step k (nobody drops off at step 1, as
  // reached(0) = reached(1)); the sign, not a bound, tells them apart: funnel_step is never 0
  if (Math.sign(k) === -1) {
    const from = reached(-k);
    return { count: reached(-k - 1) - from, at: (rank) => at(from + rank) };
  }
  return { count: reached(k), at };
}

// ---------------------------------------------------------------------------------------------------------
// Answering

const csvCell = (value: unknown): string => {
  const text =
    value === undefined || value === null
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function toCsv(people: ReturnType<typeof personView>[]): string {
  const keys = [...new Set(people.flatMap((p) => Object.keys(p.properties)))].sort();
  const header = ['id', 'uuid', 'name', 'distinct_ids', 'created_at', ...keys.map((k) => `properties.${k}`)];
  const rows = people.map((p) => [
    p.id,
    p.uuid,
    p.name,
    p.distinct_ids,
    p.created_at,
    ...keys.map((k) => p.properties[k]),
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function answer(kind: InsightKind) {
  return (ctx: Context) => {
    const filter = readFilter(ctx, kind);
    const all = peopleOf(ctx, kind, filter);
    const { limit, offset } = filter;
    const { persons } = ctx.store.state;
    const ids: number[] = [];
    for (let rank = offset; rank < Math.min(all.count, offset + limit); rank++) ids.push(all.at(rank));
    if (filter.csv) {
      return new RawResponse('text/csv', toCsv(ids.map((id) => personView(ctx.store, persons.get(id)!))));
    }
    const next = offset + limit < all.count ? linkTo(ctx.req, { limit, offset: offset + limit }) : null;
    const rest = !kind.cached
      ? { next }
      : {
          next,
          initial: linkTo(ctx.req, {}, ['offset']),
          // every person of the mock's insights exists, so none is missing
          missing_persons: 0,
          // computed on every request: never served from a cache
          is_cached: false,
          last_refresh: now(),
        };
    // the people as their kept JSON (serialized once, as the persons list serves them)
    const people = ids.map((id) => personJson(ctx.store, id, ctx.project.id)).join(',');
    return new RawResponse(
      'application/json; charset=utf-8',
      `{"results":[{"people":[${people}],"count":${ids.length}}],${JSON.stringify(rest).slice(1)}`,
    );
  };
}

const op = (id: string, method: 'GET' | 'POST', kind: InsightKind): Operation => ({
  id,
  method,
  path: `${PERSONS}/${kind.name}`,
  // PostHog rejects personal API keys on these actions; the engine lets them work unless in strict mode
  scope: null,
  ...(method === 'POST' ? { request: 'PersonsOfInsightRequest' } : {}),
  response: kind.cached ? 'CachedPersonsOfInsight' : 'PersonsOfInsight',
  status: 200,
  handler: answer(kind),
});

export const personInsightOperations: Operation[] = [
  op('persons_funnel_retrieve', 'GET', KINDS.funnel),
  op('persons_funnel_create', 'POST', KINDS.funnel),
  op('persons_funnel_correlation_retrieve', 'GET', KINDS.correlation),
  op('persons_funnel_correlation_create', 'POST', KINDS.correlation),
  op('persons_trends_retrieve', 'GET', KINDS.trends),
  op('persons_lifecycle_retrieve', 'GET', KINDS.lifecycle),
  op('persons_stickiness_retrieve', 'GET', KINDS.stickiness),
  op('persons_path_retrieve', 'GET', KINDS.path),
  op('persons_path_create', 'POST', KINDS.path),
  op('persons_retention_retrieve', 'GET', KINDS.retention),
];
