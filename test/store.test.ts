import fs from 'node:fs';
import path from 'node:path';
import { operations } from '../src/operations';
import { exportState } from '../src/control/state';
import { Store } from '../src/store/store';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';

const ISO_MICRO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('seeded store', () => {
  const small = { ...DEFAULT_SEED_OPTIONS, personsPerProject: 40 };

  test('the same seed gives byte-identical data; another seed gives other data', () => {
    const a = JSON.stringify(exportState(new Store(small)));
    expect(JSON.stringify(exportState(new Store(small)))).toBe(a);
    expect(JSON.stringify(exportState(new Store({ ...small, seed: 43 })))).not.toBe(a);
  });

  test('sizes follow the options; fixtures stay whatever the seed', () => {
    const store = new Store({ ...small, seed: 7, members: 2, projects: 0, roles: 0, invites: 0 });
    const { state } = store;
    expect(state.memberships.size).toBe(5);
    expect([...state.projects.keys()]).toEqual([1, 2]);
    expect(state.persons.size).toBe(80);
    expect(state.roles.size).toBe(2);
    expect(state.invites.size).toBe(2);
    expect(store.userByKey('phx_mock_owner_personal_api_key')?.email).toBe('owner@hedgebox.test');
  });

  test('every seeded datetime is ISO-8601 UTC with microseconds and Z', () => {
    const dates = JSON.stringify(exportState(new Store(small))).match(/"\d{4}-\d{2}-\d{2}T[^"]*"/g)!;
    expect(dates.length).toBeGreaterThan(100);
    for (const d of dates) expect(JSON.parse(d)).toMatch(ISO_MICRO_Z);
  });

  test('reset returns to the seed; restore returns to a snapshot', () => {
    const store = new Store(small);
    const seeded = JSON.stringify(store.snapshot(), mapsAsArrays);
    store.state.projects.get(1)!.name = 'changed';
    const changed = store.snapshot();
    store.reset();
    expect(JSON.stringify(store.snapshot(), mapsAsArrays)).toBe(seeded);
    store.restore(changed);
    expect(store.state.projects.get(1)!.name).toBe('changed');
  });
});

describe('the table covers the docs', () => {
  test('every documented operation is served, and nothing else', () => {
    // every METHOD line of the two reference pages, derived into the repository by npm run schemas
    const lines = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../derived/documented-operations.json'), 'utf8'),
    ) as string[];
    const documented = new Set(lines.map((line) => shape(line)));
    // named by the org page's endpoint list, without a detailed section
    documented.add('GET /api/organizations/*/legal_documents');
    documented.add('GET /api/organizations/*/legal_documents/*');
    // rows beyond the docs, each asked for by the issues: PostHog's own 405 body for creating persons,
    // PUT beside the documented PATCH of a member, and the detail routes of PostHog's frontend-apps
    // configs viewset (issue 8: the docs list only its list and create)
    const extra = [
      'POST /api/projects/*/persons',
      'PUT /api/organizations/*/members/*',
      'GET /api/projects/*/pipeline_frontend_apps_configs/*',
      'PUT /api/projects/*/pipeline_frontend_apps_configs/*',
      'PATCH /api/projects/*/pipeline_frontend_apps_configs/*',
      'DELETE /api/projects/*/pipeline_frontend_apps_configs/*',
    ];
    // and the calls PostHog's clients make first, which the docs do not describe (issue 8)
    extra.push(
      'GET /api/users/*',
      'PATCH /api/users/*',
      'GET /api/personal_api_keys',
      'GET /api/personal_api_keys/*',
      'GET /api/organizations',
      'GET /api/organizations/*',
      'GET /api/projects',
      'GET /api/projects/*',
    );
    const served = new Set(operations.map((op) => `${op.method} ${shape(op.path)}`));
    expect([...served].sort()).toEqual([...documented, ...extra].sort());
    expect(documented.size).toBe(64);
  });
});

/** a path with every parameter (`{id}`, `:id`) as `*` */
function shape(p: string): string {
  return p.replace(/\{\w+\}|:\w+/g, '*').replace(/\/$/, '');
}

function mapsAsArrays(_key: string, value: unknown): unknown {
  return Object.prototype.toString.call(value) === '[object Map]'
    ? [...(value as Map<unknown, unknown>).entries()]
    : value;
}
