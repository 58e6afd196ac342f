import fs from 'node:fs';
import path from 'node:path';
import type { Operation } from '../src/http/operation';
import { operations } from '../src/operations';
import { FILTER_PARAMS } from '../src/resources/person-insights';
import * as propertyFilters from '../src/resources/property-filters';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';
import { checkResponse } from './support/api';
import {
  checkedRequest,
  rawRequest,
  realParams,
  spawnServer,
  type ChildServer,
  type RawOptions,
} from './support/hostile';

/**
 * Timing guards (issue 9): every query parameter of every read, and every filter of the persons list and the
 * people-of-insight endpoints, with adversarial values — numbers as large as JavaScript has, numbers that are
 * not numbers, very long strings, deep JSON, and property filters of every operator, regex patterns that
 * backtrack catastrophically included, matched against persons planted with the values that make them
 * backtrack. Each request must answer, schema-checked (200, or PostHog's 400 body), within TIMING_MS.
 *
 * The bound is a guard against hangs and work driven by a number in the request, not a benchmark: generous
 * on a shared 2-core machine, while a hang or a loop up to 9007199254740991 never ends.
 */
const TIMING_MS = 2000;
/** a hang is reported as such, well after the bound */
const GIVE_UP_MS = 10_000;
const PROJECT = '1';
const PERSONS_PER_PROJECT = 60;

/** the server runs in its own process, so that a request blocking its event loop cannot freeze this one */
let server: ChildServer;
/** the request after which the server stopped answering: later tests fail at once instead of waiting */
let blockedBy: string | undefined;
jest.setTimeout(4 * GIVE_UP_MS);
/** the same seed in this process: the ids the server has (the tests only read, so they stay valid) */
const store = new Store({ ...DEFAULT_SEED_OPTIONS, personsPerProject: PERSONS_PER_PROJECT });
beforeAll(async () => {
  server = await spawnServer({ POSTHOG_MOCK_PERSONS: String(PERSONS_PER_PROJECT) });
  // persons whose values make a backtracking engine explode, and large values that make any scan cost
  const persons = [...store.state.persons.values()].filter((p) => p.team_id === Number(PROJECT));
  for (const p of persons.slice(0, 2)) {
    const res = await checkedRequest(server.url, 'PATCH', `/api/projects/${PROJECT}/persons/${p.id}/`, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: PLANTED }),
    });
    expect(res.status).toBe(200);
  }
}, 60_000);
afterAll(() => server?.stop());

/** the operators the property filters accept, and the empty operator (exact by default) */
const OPERATORS: readonly string[] = [...propertyFilters.OPERATORS];

// ---------------------------------------------------------------------------------------------------------
// Adversarial values

const LONG = 'x'.repeat(8000); // a query string stays under Node's 16 KB header limit
const HUGE_INTS = [
  '9007199254740991',
  '-9007199254740991',
  '1' + '0'.repeat(308),
  '1e308',
  '-1',
  '0',
  'NaN',
  LONG,
];
const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const BY_TYPE: Record<string, string[]> = {
  int: HUGE_INTS,
  choice: ['__proto__', 'constructor', LONG],
  bool: ['NaN', LONG],
  date: ['-9007199254740991d', '9007199254740991d', `-1${'0'.repeat(300)}d`, '275760-09-13', LONG],
  string: [LONG, '\u0000', '__proto__'],
  raw: [LONG, '__proto__', '9007199254740991'],
  json: [deepJson(400), `[${'0,'.repeat(2500)}0]`, LONG, '{"__proto__": {"x": 1}}'],
};
const CATASTROPHIC = [
  '^([a-z0-9]+|[a-z0-9.]+)*$',
  '(a+)+$',
  '(a|aa)+$',
  '(a|a?)+$',
  '(.*a){25}',
  '^(\\w+\\s?)*$',
  '(x+x+)+y',
];
/** values each operator gets: regex operators the catastrophic patterns, the others large and odd values */
const filterValues = (operator: string): unknown[] =>
  operator.includes('regex')
    ? [...CATASTROPHIC, CATASTROPHIC]
    : [
        LONG.slice(0, 500),
        9007199254740991,
        1e308,
        '-1',
        Array.from({ length: 40 }, (_, i) => `v${i}`),
        { a: [1] },
      ];

/** persons whose values make a backtracking engine explode, and huge values that make any scan cost */
const PLANTED: Record<string, unknown> = {
  email: `${'a'.repeat(3000)}@`,
  name: `${'a'.repeat(3000)}!`,
  $browser: 'x'.repeat(20_000),
  $os: `${'a1'.repeat(2000)}!`,
  count: 9007199254740991,
};

// ---------------------------------------------------------------------------------------------------------
// Which parameters each read takes

const PAGINATION = ['limit', 'offset'];
const isInsight = (op: Operation) => op.response?.includes('PersonsOfInsight') ?? false;
/** query parameters read outside FILTER_PARAMS, by operation; the test below checks none is missing */
const OTHER_PARAMS: Record<string, string[]> = {
  persons_list: ['search', 'email', 'distinct_id', 'properties', ...PAGINATION],
  persons_values_retrieve: ['key', 'value'],
  persons_cohorts_retrieve: ['person_id'],
  persons_update_property_create: ['key', 'value'],
  persons_delete_property_create: ['$unset'],
  members_list: ['order', 'email', 'search', ...PAGINATION],
  roles_list: ['name', ...PAGINATION],
  list: ['search', ...PAGINATION],
  activity_retrieve: ['page', 'limit'],
  persons_activity_retrieve: ['page', 'limit'],
  persons_activity_retrieve_2: ['page', 'limit'],
};
const paramsOf = (op: Operation): string[] => {
  if (isInsight(op)) return [...Object.keys(FILTER_PARAMS), 'format', ...PAGINATION];
  if (OTHER_PARAMS[op.id]) return OTHER_PARAMS[op.id]!;
  if (op.response?.startsWith('Paginated')) return PAGINATION;
  return [];
};
/** values for one parameter: by its FILTER_PARAMS type, or the numbers and strings every reader must survive */
const valuesOf = (name: string): string[] => {
  const type = FILTER_PARAMS[name]?.type;
  if (type && BY_TYPE[type]) return BY_TYPE[type]!;
  return [...HUGE_INTS, '__proto__', '%', 'a'.repeat(3000)];
};

test('every query parameter the resources read has timing cases', () => {
  const source = fs
    .readdirSync(path.join(__dirname, '../src/resources'))
    .map((f) => fs.readFileSync(path.join(__dirname, '../src/resources', f), 'utf8'))
    .join('\n');
  const read = new Set<string>();
  for (const [, name] of source.matchAll(/ctx\.query\.(\$?\w+)/g)) read.add(name!);
  for (const [, names] of source.matchAll(/const \{([^}]+)\} = ctx\.query/g)) {
    for (const n of names!.split(',')) read.add(n.trim());
  }
  const covered = new Set(operations.flatMap(paramsOf));
  expect([...read].filter((n) => !covered.has(n))).toEqual([]);
  expect(read.size).toBeGreaterThan(5);
});

// ---------------------------------------------------------------------------------------------------------

const url = (op: Operation, query: [string, string][] = []) => {
  const ids = realParams(store, op);
  const q = new URLSearchParams(query).toString();
  return op.path.replace(/:(\w+)/g, (_m, n: string) => ids[n]!) + '/' + (q ? `?${q}` : '');
};

/** parameters that name an object: an unknown one is a 404 */
const NAMES_AN_OBJECT = new Set(['person_id']);

/** parameters an operation refuses to go without, set to valid values unless the test sets them */
const REQUIRED: Record<string, [string, string][]> = {
  persons_lifecycle_retrieve: [
    ['target_date', '2025-05-01'],
    ['lifecycle_type', 'new'],
  ],
  persons_values_retrieve: [['key', 'email']],
};

async function timed(op: Operation, given: [string, string][], body?: Record<string, unknown>) {
  const query = [...(REQUIRED[op.id] ?? []).filter(([n]) => !given.some(([g]) => g === n)), ...given];
  const options: RawOptions = body
    ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
    : {};
  const target = url(op, query);
  // Node refuses request heads over 16 KB (431, not ours): longer values go in POST bodies
  if (target.length > 12_000) throw new Error(`test setup: a URL of ${target.length} characters`);
  if (blockedBy) throw new Error(`the server is still blocked by ${blockedBy}`);
  let res;
  try {
    res = await rawRequest(server.url, op.method, target, { ...options, timeoutMs: GIVE_UP_MS });
  } catch (err) {
    blockedBy = `${op.method} ${target.slice(0, 300)}`;
    throw err;
  }
  const where = `${op.method} ${target.slice(0, 200)} ${options.body ? String(options.body).slice(0, 200) : ''}`;
  if (res.ms >= TIMING_MS) throw new Error(`${where} took ${res.ms.toFixed(0)} ms`);
  const allowed = query.some(([n]) => NAMES_AN_OBJECT.has(n)) ? [200, 400, 404] : [200, 400];
  if (!allowed.includes(res.status))
    throw new Error(`${where} answered ${res.status}: ${res.text.slice(0, 300)}`);
  checkResponse(op.method, target, res as unknown as Parameters<typeof checkResponse>[2]);
  return res;
}

const READS = operations.filter((op) => op.method === 'GET' && paramsOf(op).length > 0);
const INSIGHT_POSTS = operations.filter((op) => op.method === 'POST' && isInsight(op));

describe('every parameter with adversarial values answers in time', () => {
  test.each(READS.flatMap((op) => paramsOf(op).map((p) => [op.method, op.path, p, op] as const)))(
    '%s %s ?%s=…',
    async (_m, _p, name, op) => {
      for (const value of name === 'properties' ? [] : valuesOf(name)) await timed(op, [[name, value]]);
      // repeated: Django takes the last value
      await timed(op, [
        [name, valuesOf(name)[0]!],
        [name, valuesOf(name).at(-1)!],
      ]);
    },
  );

  test.each(INSIGHT_POSTS.flatMap((op) => paramsOf(op).map((p) => [op.method, op.path, p, op] as const)))(
    '%s %s with %s in the body',
    async (_m, _p, name, op) => {
      const values: unknown[] = [
        ...valuesOf(name).filter((v) => v !== LONG),
        'x'.repeat(200_000),
        9007199254740991,
        1e308,
        -1,
      ];
      for (const value of values) await timed(op, [], { [name]: value });
    },
  );
});

const FILTERED = [...READS.filter((op) => paramsOf(op).includes('properties')), ...INSIGHT_POSTS];

describe('property filters of every operator, catastrophic patterns included, answer in time', () => {
  test.each(
    FILTERED.flatMap((op) =>
      OPERATORS.map((operator) => [op.method, op.path, operator || '(empty)', op, operator] as const),
    ),
  )('%s %s with operator %s', async (_m, _p, _name, op, operator) => {
    for (const value of filterValues(operator)) {
      const properties = [
        {
          type: 'OR',
          values: ['email', 'name', '$browser', '$os', 'count', '__proto__'].map((key) => ({
            key,
            operator,
            value,
            type: 'person',
          })),
        },
      ];
      const text = JSON.stringify(properties);
      const res =
        op.method === 'POST'
          ? await timed(op, [], { properties: text })
          : await timed(op, [['properties', text]]);
      if (operator.includes('regex') && typeof value === 'string' && CATASTROPHIC.includes(value)) {
        // linear-time matching: the pattern is evaluated, not refused
        expect(res.status).toBe(200);
      }
    }
  });

  test("funnel_step as large as JavaScript counts answers in time, with at most the first step's people", async () => {
    const op = operations.find((o) => o.id === 'persons_funnel_retrieve')!;
    const count = (res: { body: unknown }) =>
      (res.body as { results: { count: number }[] }).results[0]!.count;
    const first = count(await timed(op, [['funnel_step', '1']]));
    for (const step of ['9007199254740991', '-9007199254740991', '5000000', '-5000000']) {
      const res = await timed(op, [['funnel_step', step]]);
      expect(res.status).toBe(200);
      expect(count(res)).toBeLessThanOrEqual(first);
    }
  });
});
