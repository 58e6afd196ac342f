/**
 * The requests of the side-by-side rounds, one scenario per row of the results, and how each target is
 * asked for the same thing. A target without an equivalent gets `null` and the reason (shown in the table).
 */

export type TargetName = 'mock' | 'express' | 'json-server' | 'prism';
export const TARGETS: readonly TargetName[] = ['mock', 'express', 'json-server', 'prism'];
export const TARGET_LABELS: Record<TargetName, string> = {
  mock: 'posthog-mock',
  express: 'bare Express 5',
  'json-server': 'json-server 0.17',
  prism: 'Prism 5',
};

/** What the scenarios need to know of the seeded data: discovered from the running mock. */
export interface Ids {
  /** the organization of the fixtures (fixtures/organization.json) */
  org: string;
  /** a person of the current project (integer id), the one retrieved and patched */
  person: number;
  /** what `?search=` looks for */
  search: string;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** for writes: the body of request number n (unique per request where the API wants unique names) */
  body?: (n: number) => unknown;
}

export interface Scenario {
  name: string;
  label: string;
  /** it changes the store: the mock is reset (POST /__mock/reset) before each of its rounds */
  writes: boolean;
  call(target: TargetName, ids: Ids): Call | { none: string };
}

const PROJECT = '/api/projects/@current';
/** the query of the insight-people request: the people behind a trend's point */
export const INSIGHT_QUERY = 'entity_id=%24pageview&entity_type=events&date_from=-7d';

/** A run-unique prefix, so role names stay unique across rounds against a peer that keeps them. */
const RUN = Date.now().toString(36);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'retrieve',
    label: 'retrieve a person',
    writes: false,
    call: (target, ids) =>
      target === 'json-server'
        ? { method: 'GET', path: `/persons/${ids.person}` }
        : { method: 'GET', path: `${PROJECT}/persons/${ids.person}/` },
  },
  {
    name: 'list-100',
    label: 'list of 100 persons',
    writes: false,
    call: (target) =>
      target === 'json-server'
        ? { method: 'GET', path: '/persons?_page=1&_limit=100' }
        : { method: 'GET', path: `${PROJECT}/persons/?limit=100` },
  },
  {
    name: 'search',
    label: 'search (?search=)',
    writes: false,
    call: (target, ids) =>
      target === 'json-server'
        ? { method: 'GET', path: `/persons?q=${encodeURIComponent(ids.search)}&_page=1&_limit=100` }
        : { method: 'GET', path: `${PROJECT}/persons/?limit=100&search=${encodeURIComponent(ids.search)}` },
  },
  {
    name: 'create-role',
    label: 'create a role (validated POST)',
    writes: true,
    call: (target, ids) => ({
      method: 'POST',
      path: target === 'json-server' ? '/roles' : `/api/organizations/${ids.org}/roles/`,
      body: (n) => ({ name: `bench ${RUN} ${n}` }),
    }),
  },
  {
    name: 'patch-person',
    label: 'PATCH a person',
    writes: true,
    call: (target, ids) => ({
      method: 'PATCH',
      path: target === 'json-server' ? `/persons/${ids.person}` : `${PROJECT}/persons/${ids.person}/`,
      body: (n) => ({ properties: { bench_counter: n } }),
    }),
  },
  {
    name: 'insight-people',
    label: 'insight people (trends)',
    writes: false,
    call: (target) =>
      target === 'json-server'
        ? { none: 'no insight people' }
        : { method: 'GET', path: `${PROJECT}/persons/trends/?${INSIGHT_QUERY}` },
  },
  {
    name: 'health',
    label: 'GET /_health',
    writes: false,
    call: (target) =>
      target === 'json-server' || target === 'prism'
        ? { none: 'no health route' }
        : { method: 'GET', path: '/_health' },
  },
];
