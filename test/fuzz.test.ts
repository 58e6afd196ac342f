import { OPERATORS as FILTER_OPERATORS } from '../src/resources/property-filters';
import fc from 'fast-check';
import type { Operation } from '../src/http/operation';
import { operations } from '../src/operations';
import { FILTER_PARAMS } from '../src/resources/person-insights';
import type { State } from '../src/store/types';
import { KEYS, ORG, useMock } from './support/api';
import {
  checkedRequest,
  schemaOf,
  typesOf,
  urlencoded,
  wrongValues,
  type FieldSchema,
  type RawOptions,
} from './support/hostile';

/**
 * Property-based fuzzing over the operation table (issue 9). Each run starts from the seeded store and sends
 * a random sequence of requests, valid and invalid, built from each operation's request schema, path
 * parameters (real ids picked by index from the store as it is at that moment, or junk) and query parameters.
 *
 * Invariants, after every request: no 5xx; every 2xx valid against its schema and PostHog's, every 4xx
 * PostHog's error shape (checkResponse); a body with a value its schema rejects never answers 2xx.
 * After every run: the store is consistent (ids unique and equal to their keys, no dangling reference) and
 * every list's `count` equals the items its pages hold, without duplicates.
 *
 * Seeded: FUZZ_SEED=<n> replays a run (with FUZZ_PATH=<path from the report>, only the shrunk counterexample),
 * FUZZ_RUNS=<n> runs longer (default 100 runs of up to 10 requests).
 * A failure prints the seed, fast-check's shrunk counterexample and the requests as they were sent.
 */
const api = useMock();
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 909;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 100;
const JUNK_IDS = [
  '999999',
  'not-an-id',
  '0',
  '-1',
  '@current',
  '0190a1b2-ffff-7000-8000-000000000000',
  '1e3',
];

// ---------------------------------------------------------------------------------------------------------
// Generated requests: plain data, so that fast-check prints them readably

const { USER_UUIDS, PLUGIN_IDS, CONFIG_IDS } = (() => {
  // the seeded store (the same for every run): the ids bodies may refer to
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Store } = require('../src/store/store') as typeof import('../src/store/store');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DEFAULT_SEED_OPTIONS } = require('../src/store/seed') as typeof import('../src/store/seed');
  const seeded = new Store({ ...DEFAULT_SEED_OPTIONS, personsPerProject: 60 }).state;
  return {
    USER_UUIDS: [...seeded.users.values()].map((u) => u.uuid),
    PLUGIN_IDS: [...seeded.plugins.keys()],
    CONFIG_IDS: [...seeded.pluginConfigs.keys()].map(String),
  };
})();

type IdChoice = { real: number } | { junk: string };
interface Gen {
  op: string;
  ids: Record<string, IdChoice>;
  query: [string, string][];
  body?: { kind: 'valid' | 'wrong' | 'random'; value: unknown; field?: string };
  as: 'json' | 'form';
  key: keyof typeof KEYS;
}

const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(50).map((real) => ({ real })) },
  { weight: 1, arbitrary: fc.constantFrom(...JUNK_IDS).map((junk) => ({ junk })) },
);

/** strings that exercise parsers: unicode, NUL, prototype names, long, numeric-looking */
const nastyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    '',
    ' ',
    'a\u0000b',
    '9007199254740991',
    '1e308',
    'NaN',
  ),
  fc.constantFrom('x'.repeat(1001), '%', '%FF', '\ud800'),
);

const jsonish = fc.jsonValue({ maxDepth: 3 });

/**
 * Fields whose request schema accepts more than PostHog does, with the values PostHog accepts. Each is a known
 * gap of schemas/ (reported to the lead), not a license: remove the entry once the schema is fixed.
 */
const NARROWER: Record<string, fc.Arbitrary<unknown>> = {
  // none now: session_recording_sample_rate, the last, has its pattern in schemas/
};

/** an arbitrary value the field's schema accepts (or, for `{}`, any JSON) */
function arbFor(s: FieldSchema, name: string): fc.Arbitrary<unknown> {
  if (NARROWER[name]) return NARROWER[name];
  if (s.enum) return fc.constantFrom(...s.enum);
  const types = typesOf(s);
  const nullable = types.includes('null');
  const base = types.find((t) => t !== 'null');
  let arb: fc.Arbitrary<unknown>;
  switch (base) {
    case 'string':
      if (s.format === 'email') arb = fc.emailAddress();
      else if (s.format === 'uuid') arb = fc.oneof(fc.constantFrom(...USER_UUIDS), fc.uuid());
      else if (s.format === 'iana-timezone') arb = fc.constantFrom('UTC', 'Europe/Paris', 'Asia/Kolkata');
      else if (s.format === 'date-time') arb = fc.constantFrom('2025-01-01T00:00:00Z');
      else if (s.format === 'uri') arb = fc.constantFrom('https://example.com/x');
      else arb = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
      break;
    case 'integer':
      if (name === 'plugin') arb = fc.oneof(fc.constantFrom(...PLUGIN_IDS), fc.integer());
      else
        arb = fc.integer({
          min: Math.max(s.minimum ?? -1000, -1000),
          max: Math.min(s.maximum ?? 1000, 1000),
        });
      break;
    case 'number':
      arb = fc.double({ noNaN: true, noDefaultInfinity: true });
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    case 'array':
      arb = fc.array(s.items ? arbFor(s.items, name) : jsonish, { maxLength: 4 });
      break;
    case 'object':
      if (s.properties && s.additionalProperties === false) {
        arb = fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, arbFor(v, k)])), {
          requiredKeys: s.required ?? [],
        });
      } else if (typeof s.additionalProperties === 'object') {
        const values = arbFor(s.additionalProperties, name);
        arb = fc.dictionary(fc.oneof(fc.constantFrom(...CONFIG_IDS), nastyString), values, { maxKeys: 4 });
      } else {
        arb = fc.dictionary(nastyString, jsonish, { maxKeys: 5 });
      }
      break;
    default:
      arb = jsonish;
  }
  return nullable ? fc.option(arb, { nil: null }) : arb;
}

/** values for each filter parameter, from how the handler parses it (FILTER_PARAMS), valid and not */
function filterArb(name: string): fc.Arbitrary<string> {
  const p = FILTER_PARAMS[name]!;
  const junk = nastyString;
  switch (p.type) {
    case 'int':
      return fc.oneof(
        fc.integer({ min: -5, max: 12 }).map(String),
        fc.constantFrom('9007199254740991', '1e308', 'NaN'),
        junk,
      );
    case 'choice':
      return fc.oneof(fc.constantFrom(...p.values), junk);
    case 'bool':
      return fc.constantFrom('true', 'false', '1', 'maybe');
    case 'date':
      return fc.constantFrom('-7d', '-30d', '2025-01-01', 'all', 'yesterday', '2025-13-45');
    case 'properties':
      return propertiesArb;
    case 'json':
      return fc.oneof(
        jsonish.map((v) => JSON.stringify(v)),
        junk,
      );
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), junk);
  }
}

const OPERATORS = [...FILTER_OPERATORS, 'junk'];
const propertiesArb: fc.Arbitrary<string> = fc
  .array(
    fc.record({
      key: fc.oneof(
        fc.constantFrom('email', 'name', '$browser', '__proto__', 'constructor'),
        fc.string({ maxLength: 8 }),
      ),
      operator: fc.constantFrom(...OPERATORS),
      value: fc.oneof(
        jsonish,
        fc.constantFrom('^([a-z0-9]+|[a-z0-9.]+)*$', '(a+)+$', '(?=x)', 'a{1001}', '['),
      ),
      type: fc.constantFrom('person', 'cohort', 'event', 'junk'),
    }),
    { maxLength: 3 },
  )
  .map((v) => JSON.stringify(v));

const pageArb = fc.constantFrom('0', '1', '2', '5', '100', '-1', 'x', '9007199254740991');

/** query parameters an operation reads */
function queryArb(op: Operation): fc.Arbitrary<[string, string][]> {
  const pool: [string, fc.Arbitrary<string>][] = [];
  if (op.method === 'GET') pool.push(['limit', pageArb], ['offset', pageArb], ['page', pageArb]);
  if (op.id === 'persons_list') {
    pool.push(
      ['search', nastyString],
      ['email', nastyString],
      ['distinct_id', nastyString],
      ['properties', propertiesArb],
    );
  }
  if (op.id === 'persons_values_retrieve')
    pool.push(['key', fc.constantFrom('email', 'name', '__proto__')], ['value', nastyString]);
  if (op.path.includes('/persons/') && op.response?.includes('PersonsOfInsight')) {
    for (const name of Object.keys(FILTER_PARAMS)) pool.push([name, filterArb(name)]);
  }
  if (pool.length === 0) return fc.constant([]);
  return fc
    .subarray(pool, { maxLength: Math.min(4, pool.length) })
    .chain((picked) =>
      picked.length === 0
        ? fc.constant([])
        : fc.tuple(...picked.map(([k, a]) => a.map((v) => [k, v] as [string, string]))),
    );
}

function bodyArb(op: Operation): fc.Arbitrary<Gen['body']> {
  if (op.method === 'GET') return fc.constant(undefined);
  const random = jsonish.map((value) => ({ kind: 'random' as const, value }));
  if (op.id === 'invites_bulk_create') {
    const invite = arbFor(schemaOf('OrganizationInviteRequest'), 'invite');
    return fc.oneof(
      fc.array(invite, { maxLength: 3 }).map((value) => ({ kind: 'valid' as const, value })),
      random,
    );
  }
  if (!op.request) return fc.option(random, { nil: undefined });
  const schema = schemaOf(op.request);
  const valid =
    op.request === 'PersonsOfInsightRequest'
      ? fc
          .subarray(Object.keys(FILTER_PARAMS), { maxLength: 4 })
          .chain((names) => fc.tuple(...names.map((n) => filterArb(n).map((v) => [n, v] as const))))
          .map((pairs) => Object.fromEntries(pairs))
      : arbFor(schema, op.request);
  const fields = Object.entries(schema.properties ?? {}).flatMap(([f, s]) =>
    wrongValues(s).map((w) => [f, w.value] as const),
  );
  const wrong =
    fields.length === 0
      ? random
      : fc.tuple(valid, fc.constantFrom(...fields)).map(([v, [field, value]]) => ({
          kind: 'wrong' as const,
          value: { ...(v as object), [field]: value },
          field,
        }));
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((value) => ({ kind: 'valid' as const, value })) },
    { weight: 2, arbitrary: wrong },
    { weight: 1, arbitrary: random },
  );
}

const byId = new Map(operations.map((op) => [op.id, op]));
const genArb: fc.Arbitrary<Gen> = fc.constantFrom(...operations).chain((op) =>
  fc.record({
    op: fc.constant(op.id),
    ids: fc.record(Object.fromEntries([...op.path.matchAll(/:(\w+)/g)].map(([, p]) => [p!, idChoice]))),
    query: queryArb(op),
    body: bodyArb(op),
    as: fc.constantFrom<Gen['as']>('json', 'json', 'json', 'form'),
    key: fc.constantFrom<Gen['key']>('owner', 'owner', 'owner', 'owner', 'owner', 'admin', 'member'),
  }),
);

// ---------------------------------------------------------------------------------------------------------
// Resolving a generated request against the store as it is now

function candidates(s: State, template: string, param: string, chosen: Record<string, string>): string[] {
  const project = Number(chosen.project_id);
  const collection = /\/([a-z_]+)\/:id/.exec(template)?.[1];
  if (param === 'organization_id') return [ORG, '@current'];
  if (param === 'project_id') return [...[...s.projects.keys()].map(String), '@current'];
  if (param === 'role_id') return [...s.roles.keys()];
  if (param === 'user__uuid') {
    return [...s.memberships.values()]
      .filter((m) => m.organization_id === ORG)
      .map((m) => s.users.get(m.user_id)!.uuid);
  }
  switch (collection) {
    case 'projects':
      return [...s.projects.values()].filter((p) => p.organization === ORG).map((p) => String(p.id));
    case 'roles':
      return [...s.roles.keys()];
    case 'role_memberships':
      return [...s.roleMemberships.values()].filter((m) => m.role_id === chosen.role_id).map((m) => m.id);
    case 'invites':
      return [...s.invites.keys()];
    case 'legal_documents':
      return [...s.legalDocuments.keys()];
    case 'persons':
      return [...s.persons.values()]
        .filter((p) => p.team_id === project)
        .flatMap((p) => [String(p.id), p.uuid]);
    case 'pipeline_destination_configs':
      return [...s.pluginConfigs.values()].filter((c) => c.team_id === project).map((c) => String(c.id));
  }
  return [];
}

interface Sent {
  method: string;
  path: string;
  options: RawOptions;
  /** the body went as JSON (not as a form) */
  json: boolean;
}

function resolve(gen: Gen): Sent {
  const op = byId.get(gen.op)!;
  const state = api.mock.app.store.state;
  const chosen: Record<string, string> = {};
  for (const [, param] of op.path.matchAll(/:(\w+)/g)) {
    const choice = gen.ids[param!]!;
    const pool = 'real' in choice ? candidates(state, op.path, param!, chosen) : [];
    if ('real' in choice && pool.length > 0) chosen[param!] = pool[choice.real % pool.length]!;
    else {
      chosen[param!] = 'junk' in choice ? choice.junk : '999999';
    }
  }
  const query = new URLSearchParams(gen.query).toString();
  const path =
    op.path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(chosen[name]!)) +
    '/' +
    (query ? `?${query}` : '');
  const options: RawOptions = { key: KEYS[gen.key] };
  let json = false;
  if (gen.body) {
    const value = gen.body.value;
    if (gen.as === 'form' && value && typeof value === 'object' && !Array.isArray(value)) {
      const fields = Object.entries(value).map(
        ([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')] as [string, string],
      );
      options.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
      options.body = urlencoded(fields);
    } else {
      options.headers = { 'Content-Type': 'application/json' };
      options.body = JSON.stringify(value) ?? 'null';
      json = true;
    }
  }
  return { method: op.method, path, options, json };
}

// ---------------------------------------------------------------------------------------------------------
// Invariants

/** Everything in the store that contradicts itself, as readable lines (empty when consistent). */
export function inconsistencies(s: State): string[] {
  const out: string[] = [];
  const keyed = (name: string, map: Iterable<[unknown, { id: unknown }]>) => {
    for (const [k, v] of map) if (k !== v.id) out.push(`${name}: key ${String(k)} holds id ${String(v.id)}`);
  };
  keyed('organizations', s.organizations);
  keyed('users', s.users);
  keyed('memberships', s.memberships);
  keyed('projects', s.projects);
  keyed('roles', s.roles);
  keyed('roleMemberships', s.roleMemberships);
  keyed('invites', s.invites);
  keyed('legalDocuments', s.legalDocuments);
  keyed('persons', s.persons);
  keyed('cohorts', s.cohorts);
  keyed('plugins', s.plugins);
  keyed('pluginConfigs', s.pluginConfigs);
  const unique = (name: string, values: unknown[]) => {
    const seen = new Set<string>();
    for (const v of values) {
      const k = JSON.stringify(v);
      if (seen.has(k)) out.push(`${name}: ${k} twice`);
      seen.add(k);
    }
  };
  unique(
    'project uuids',
    [...s.projects.values()].map((p) => p.uuid),
  );
  unique(
    'person uuids',
    [...s.persons.values()].map((p) => p.uuid),
  );
  unique(
    'distinct ids per project',
    [...s.persons.values()].flatMap((p) => p.distinct_ids.map((d) => [p.team_id, d])),
  );
  unique(
    'memberships',
    [...s.memberships.values()].map((m) => [m.organization_id, m.user_id]),
  );
  unique(
    'role memberships',
    [...s.roleMemberships.values()].map((m) => [m.role_id, m.user_id]),
  );
  unique(
    'role names',
    [...s.roles.values()].map((r) => [r.organization_id, r.name.toLowerCase()]),
  );
  unique(
    'activity ids',
    s.activity.map((a) => a.id),
  );
  const dangling = (what: string, ok: boolean) => {
    if (!ok) out.push(`dangling: ${what}`);
  };
  for (const u of s.users.values())
    dangling(`user ${u.id} → organization`, s.organizations.has(u.current_organization_id));
  for (const m of s.memberships.values()) {
    dangling(`membership ${m.id} → organization`, s.organizations.has(m.organization_id));
    dangling(`membership ${m.id} → user`, s.users.has(m.user_id));
  }
  for (const p of s.projects.values())
    dangling(`project ${p.id} → organization`, s.organizations.has(p.organization));
  for (const r of s.roles.values())
    dangling(`role ${r.id} → organization`, s.organizations.has(r.organization_id));
  for (const m of s.roleMemberships.values()) {
    dangling(`role membership ${m.id} → role`, s.roles.has(m.role_id));
    dangling(`role membership ${m.id} → user`, s.users.has(m.user_id));
    const role = s.roles.get(m.role_id);
    dangling(
      `role membership ${m.id} → a member of the role's organization`,
      !role ||
        [...s.memberships.values()].some(
          (x) => x.user_id === m.user_id && x.organization_id === role.organization_id,
        ),
    );
  }
  for (const i of s.invites.values())
    dangling(`invite ${i.id} → organization`, s.organizations.has(i.organization_id));
  for (const d of s.legalDocuments.values())
    dangling(`legal document ${d.id} → organization`, s.organizations.has(d.organization_id));
  for (const p of s.persons.values()) dangling(`person ${p.id} → project`, s.projects.has(p.team_id));
  for (const c of s.cohorts.values()) {
    dangling(`cohort ${c.id} → project`, s.projects.has(c.team_id));
    // (members may name deleted persons: cohorts are calculated, and count only the persons still there)
  }
  for (const c of s.pluginConfigs.values()) {
    dangling(`plugin config ${c.id} → project`, s.projects.has(c.team_id));
    dangling(`plugin config ${c.id} → plugin`, s.plugins.has(c.plugin_id));
  }
  const max = (keys: Iterable<number>) => Math.max(0, ...keys);
  if (s.sequences.project < max(s.projects.keys())) out.push('sequence project behind its ids');
  if (s.sequences.person < max(s.persons.keys())) out.push('sequence person behind its ids');
  if (s.sequences.pluginConfig < max(s.pluginConfigs.keys()))
    out.push('sequence pluginConfig behind its ids');
  return out;
}

/** every list the organization and project 1 have: `count` equals what the pages hold, with no duplicates */
async function checkLists(): Promise<string[]> {
  const out: string[] = [];
  const s = api.mock.app.store.state;
  const lists = operations
    .filter((op) => op.method === 'GET' && op.response?.startsWith('Paginated'))
    .flatMap((op) => {
      const roles = op.path.includes(':role_id')
        ? [...s.roles.values()].filter((r) => r.organization_id === ORG)
        : [null];
      return roles.map((role) =>
        op.path
          .replace(':organization_id', ORG)
          .replace(':project_id', s.projects.has(1) ? '1' : '@current')
          .replace(':role_id', role?.id ?? ''),
      );
    });
  for (const list of lists) {
    let next: string | null = `${list}/?limit=7`;
    const ids: unknown[] = [];
    let count = -1;
    for (let pages = 0; next && pages < 200; pages++) {
      const res = await checkedRequest(api.mock.url, 'GET', next.replace(api.mock.url, ''));
      if (res.status !== 200) {
        // project 1 may have been deleted and @current be another organization's: nothing to count
        if (res.status === 404) break;
        out.push(`${list}: ${res.status}`);
        break;
      }
      const body = res.body as {
        count: number;
        next: string | null;
        results: { id?: unknown; user?: { uuid: string } }[];
      };
      count = body.count;
      ids.push(...body.results.map((r) => r.id ?? r.user?.uuid));
      next = body.next;
    }
    if (count >= 0 && count !== ids.length) out.push(`${list}: count ${count}, pages hold ${ids.length}`);
    if (new Set(ids.map((x) => JSON.stringify(x))).size !== ids.length)
      out.push(`${list}: duplicates across pages`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

test(`random request sequences keep every invariant (seed ${SEED}, ${RUNS} runs)`, async () => {
  const twoXx = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(genArb, { minLength: 1, maxLength: 10 }), async (gens) => {
      api.mock.app.store.reset();
      const log: string[] = [];
      const fail = (why: string): never => {
        throw new Error(`${why}\nrequests as sent:\n${log.join('\n')}`);
      };
      for (const gen of gens) {
        const sent = resolve(gen);
        const body = sent.options.body === undefined ? '' : ` ${String(sent.options.body).slice(0, 300)}`;
        log.push(
          `  ${sent.method} ${sent.path} [${gen.key}${gen.body ? `, ${gen.as} ${gen.body.kind}` : ''}]${body}`,
        );
        let res;
        try {
          res = await checkedRequest(api.mock.url, sent.method, sent.path, sent.options);
        } catch (err) {
          return fail((err as Error).message);
        }
        log[log.length - 1] += ` → ${res.status}`;
        if (res.status >= 500) fail(`5xx: ${res.text.slice(0, 300)}`);
        // (as a form, every value is text: `null` or `[]` become strings a string field accepts)
        if (gen.body?.kind === 'wrong' && sent.json && res.status < 300)
          fail(`a wrong ${gen.body.field} was accepted`);
        if (res.status < 300) twoXx.set(gen.op, (twoXx.get(gen.op) ?? 0) + 1);
      }
      const problems = [...inconsistencies(api.mock.app.store.state), ...(await checkLists())];
      if (problems.length) fail(`inconsistent store:\n  ${problems.join('\n  ')}`);
    }),
    { seed: SEED, numRuns: RUNS, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) },
  );
  // a fuzzer that never gets past validation proves little: most operations must have succeeded at least once
  if (process.env.FUZZ_STATS) console.log([...twoXx].sort().join('\n'), twoXx.size);
  expect(twoXx.size).toBeGreaterThan(operations.length / 3);
}, 120_000);

test('the consistency check sees a dangling reference and a duplicate id', () => {
  // a world of its own over the same seeded data, to break
  const s = api.mock.app.store.fork().state;
  expect(inconsistencies(s)).toEqual([]);
  const rm = [...s.roleMemberships.values()][0]!;
  s.roleMemberships.set('x', { ...rm, id: 'x', role_id: 'no-such-role' });
  const person = [...s.persons.values()][0]!;
  s.persons.add({ ...person, id: 99999 });
  expect(inconsistencies(s)).toEqual(
    expect.arrayContaining([
      'dangling: role membership x → role',
      `person uuids: ${JSON.stringify(person.uuid)} twice`,
      'sequence person behind its ids',
    ]),
  );
});
