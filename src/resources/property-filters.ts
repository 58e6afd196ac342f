import { RE2JS } from 're2js';
import { requiredError, validationError } from '../http/errors';
import { MAX_JSON_DEPTH, nestingExceeds, pyType } from '../http/validation';
import type { Store } from '../store/store';
import type { Person } from '../store/types';

/**
 * PostHog property filters, shared by the persons list and the people-of-insight endpoints: a list of
 * `{key, value, operator, type}` filters (all must match), or a group `{type: AND|OR, values: [...]}`.
 * Parsing answers PostHog's 400 bodies with `attr` naming the filter's field (`properties__0__operator`);
 * matching evaluates person properties and cohort membership; filter types that need events are ignored.
 *
 * `regex` / `not_regex` are evaluated as PostHog evaluates them, with RE2 syntax and semantics (a match
 * anywhere in the value, `$` the end of the text), by re2js, a maintained pure-JS port of RE2: linear in
 * the text, so no pattern can stall the server. A pattern RE2 refuses (lookarounds, backreferences,
 * counted repeats above 1,000...) is a 400 on the filter's `value`.
 */

/**
 * Bounds on one `properties` value, so that matching costs at most a fixed amount per person (PostHog's
 * UI sends a handful of filters; these leave room for generated ones).
 */
/** filters and groups, counted together */
export const MAX_PROPERTY_FILTERS = 200;
/** values compared, over all filters (an `in` list counts each element) */
export const MAX_FILTER_VALUES = 1000;
/** characters of the regular expressions, over all filters: matching costs pattern × text */
export const MAX_REGEX_CHARS = 500;
/** compiled patterns kept for reuse, least recently used evicted first */
export const REGEX_CACHE_SIZE = 200;

const compiled = new Map<string, RE2JS>();

/** The compiled RE2 program for `pattern` (cached); throws RE2's syntax error. */
function re2(pattern: string): RE2JS {
  let program = compiled.get(pattern);
  if (program) {
    compiled.delete(pattern);
  } else {
    program = RE2JS.compile(pattern);
    if (compiled.size >= REGEX_CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(pattern, program);
  return program;
}

export const OPERATORS = [
  'exact',
  'is_not',
  'icontains',
  'not_icontains',
  'regex',
  'not_regex',
  'gt',
  'lt',
  'gte',
  'lte',
  'is_set',
  'is_not_set',
  'is_date_exact',
  'is_date_after',
  'is_date_before',
  'in',
  'not_in',
  '',
];
const PROPERTY_TYPES = [
  'event',
  'event_metadata',
  'feature',
  'person',
  'cohort',
  'element',
  'static-cohort',
  'dynamic-cohort',
  'precalculated-cohort',
  'group',
  'recording',
  'log_entry',
  'behavioral',
  'session',
  'hogql',
  'data_warehouse',
  'data_warehouse_person_property',
  'error_tracking_issue',
  'log',
  'revenue_analytics',
  'flag',
  '',
];

export interface PropertyFilter {
  key: string;
  value: unknown;
  operator: string;
  type: string;
  /** the compiled patterns of a regex / not_regex filter */
  patterns?: RE2JS[];
}
export interface PropertyGroup {
  type: 'AND' | 'OR';
  values: (PropertyGroup | PropertyFilter)[];
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isGroup = (v: unknown): v is Record<string, unknown> =>
  isObject(v) && (v.type === 'AND' || v.type === 'OR') && 'values' in v;

/** Parses a `properties` value (JSON text or already decoded) into one AND group; 400 for bad shapes. */
export function parseProperties(value: unknown, attr = 'properties'): PropertyGroup {
  let parsed = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return { type: 'AND', values: [] };
    try {
      parsed = JSON.parse(value);
    } catch {
      throw validationError('invalid_input', 'Properties are unparsable!', attr);
    }
  }
  if (nestingExceeds(parsed, MAX_JSON_DEPTH)) {
    throw validationError(
      'invalid_input',
      `Nesting deeper than ${MAX_JSON_DEPTH} levels is not allowed.`,
      attr,
    );
  }
  let regexChars = 0;
  let nodes = 0;
  let values = 0;
  const node = (v: unknown, path: string): PropertyGroup | PropertyFilter => {
    if (++nodes > MAX_PROPERTY_FILTERS) {
      throw validationError(
        'max_length',
        `Ensure this field has no more than ${MAX_PROPERTY_FILTERS} elements.`,
        attr,
      );
    }
    if (isGroup(v)) {
      if (!Array.isArray(v.values)) {
        throw validationError(
          'invalid_input',
          `Expected a list of items but got type "${pyType(v.values)}".`,
          `${path}__values`,
        );
      }
      return {
        type: v.type as 'AND' | 'OR',
        values: v.values.map((x, i) => node(x, `${path}__values__${i}`)),
      };
    }
    if (!isObject(v)) {
      throw validationError(
        'invalid_input',
        'Properties have to be a list of objects or a property group.',
        path,
      );
    }
    if (typeof v.key !== 'string' && typeof v.key !== 'number') {
      throw requiredError(`${path}__key`);
    }
    // missing or empty, the operator is `exact`
    const operator = v.operator ?? '';
    if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
      throw validationError(
        'invalid_choice',
        `"${String(operator)}" is not a valid choice.`,
        `${path}__operator`,
      );
    }
    // Stryker disable next-line StringLiteral: a missing type is PostHog's `event`; matching treats `event` and '' alike (person properties)
    const type = v.type ?? 'event';
    if (typeof type !== 'string' || !PROPERTY_TYPES.includes(type)) {
      throw validationError('invalid_choice', `"${String(type)}" is not a valid choice.`, `${path}__type`);
    }
    values += asList(v.value).length;
    if (values > MAX_FILTER_VALUES) {
      throw validationError(
        'max_length',
        `Ensure the values of one filter have no more than ${MAX_FILTER_VALUES} elements in all.`,
        `${path}__value`,
      );
    }
    const filter: PropertyFilter = {
      key: String(v.key),
      value: v.value,
      operator: operator || 'exact',
      type,
    };
    if (operator === 'regex' || operator === 'not_regex') {
      filter.patterns = asList(v.value).map((value) => {
        const pattern = patternText(value);
        regexChars += pattern.length;
        if (regexChars > MAX_REGEX_CHARS) {
          throw validationError(
            'max_length',
            `Ensure the regular expressions of one filter have no more than ${MAX_REGEX_CHARS} characters in all.`,
            `${path}__value`,
          );
        }
        try {
          return re2(pattern);
        } catch {
          throw validationError('invalid_input', `Invalid regular expression: ${pattern}`, `${path}__value`);
        }
      });
    }
    return filter;
  };
  if (Array.isArray(parsed)) return { type: 'AND', values: parsed.map((v, i) => node(v, `${attr}__${i}`)) };
  if (isGroup(parsed)) return node(parsed, attr) as PropertyGroup;
  throw validationError(
    'invalid_input',
    'Properties have to be a list of objects or a property group.',
    attr,
  );
}

const COHORT_TYPES = ['cohort', 'static-cohort', 'dynamic-cohort', 'precalculated-cohort'];
/** filter types the mock can evaluate on a person; the others (sessions, elements, ...) need events */
const PERSON_TYPES = ['person', 'event', ''];

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
/** a filter value as the text PostHog compares (objects and lists as JSON) */
const patternText = (v: unknown): string =>
  v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'object' || typeof b === 'object'
    ? JSON.stringify(a) === JSON.stringify(b)
    : String(a) === String(b);

/** what a filter reads of a person */
type Filtered = Pick<Person, 'id' | 'team_id' | 'properties'>;

function matchesFilter(store: Store, person: Filtered, f: PropertyFilter): boolean {
  if (COHORT_TYPES.includes(f.type)) {
    const ids = asList(f.value).map(Number);
    const inCohort = ids.some((id) => {
      const cohort = store.state.cohorts.get(id);
      return cohort?.team_id === person.team_id && store.cohortMembers(cohort).has(person.id);
    });
    return f.operator === 'not_in' || f.operator === 'is_not' ? !inCohort : inCohort;
  }
  if (!PERSON_TYPES.includes(f.type)) return true;
  // own properties only: `toString`, `constructor`... of a plain object are no person's properties
  const actual = Object.prototype.hasOwnProperty.call(person.properties, f.key)
    ? person.properties[f.key]
    : undefined;
  const present = actual !== undefined && actual !== null;
  const text = present ? (typeof actual === 'object' ? JSON.stringify(actual) : String(actual)) : '';
  const values = asList(f.value);
  const num = (v: unknown) =>
    typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  const compare = (test: (a: number, b: number) => boolean) =>
    present &&
    values.some((v) => !Number.isNaN(num(actual)) && !Number.isNaN(num(v)) && test(num(actual), num(v)));
  const dates = (test: (a: number, b: number) => boolean) =>
    present && values.some((v) => test(Date.parse(text), Date.parse(String(v))));
  const matchesPattern = () => (f.patterns ?? []).some((p) => p.test(text));
  switch (f.operator) {
    case 'exact':
    case 'in':
      return present && values.some((v) => same(actual, v));
    case 'is_not':
    case 'not_in':
      return !present || !values.some((v) => same(actual, v));
    case 'icontains':
      return present && values.some((v) => text.toLowerCase().includes(String(v).toLowerCase()));
    case 'not_icontains':
      return !present || !values.some((v) => text.toLowerCase().includes(String(v).toLowerCase()));
    case 'regex':
      return present && matchesPattern();
    case 'not_regex':
      return !present || !matchesPattern();
    case 'gt':
      return compare((a, b) => a > b);
    case 'gte':
      return compare((a, b) => a >= b);
    case 'lt':
      return compare((a, b) => a < b);
    case 'lte':
      return compare((a, b) => a <= b);
    case 'is_set':
      return present;
    case 'is_not_set':
      return !present;
    case 'is_date_exact':
      return present && values.some((v) => text.slice(0, 10) === String(v).slice(0, 10));
    case 'is_date_after':
      return dates((a, b) => a > b);
    case 'is_date_before':
      return dates((a, b) => a < b);
    default:
      // Stryker disable next-line BooleanLiteral: unreachable, parsing lets through only the operators above ('' becomes exact)
      return false;
  }
}

export function matchesProperties(store: Store, person: Filtered, group: PropertyGroup): boolean {
  const test = (n: PropertyGroup | PropertyFilter): boolean =>
    'key' in n ? matchesFilter(store, person, n) : matchesProperties(store, person, n);
  return group.type === 'OR'
    ? group.values.length === 0 || group.values.some(test)
    : group.values.every(test);
}
