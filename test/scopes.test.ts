import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../src/app';
import { buildOpenApiDocument } from '../src/openapi';
import { grants, requiredScopes } from '../src/http/scopes';
import type { Operation } from '../src/http/operation';
import { operations } from '../src/operations';
import { DEFAULT_FIXTURES_DIR, FixtureError, loadFixtures } from '../src/store/fixtures';
import type { PersonalApiKey } from '../src/store/types';
import { error, KEYS, NOT_FOUND, useMock } from './support/api';
import { pathOf } from './support/hostile';
import { validRequest } from './support/requests';

/**
 * The strict-mode scope matrix (`strictKeys`), generated from the operation table: for every operation,
 * keys with exactly its scopes, without one of them, with the write scope for a read, the read-only
 * fixture key, and keys restricted to another project or organization. Every answer is schema-checked by
 * useMock.
 */
const api = useMock({ strictKeys: true, seed: { personsPerProject: 10 } });

const FIXTURE_KEYS = {
  readOnly: 'phx_mock_read_only_personal_api_key',
  project1: 'phx_mock_project_1_personal_api_key',
  otherOrg: 'phx_mock_other_org_personal_api_key',
} as const;
const READ_SCOPES = [
  'activity_log:read',
  'cohort:read',
  'legal_document:read',
  'organization:read',
  'organization_member:read',
  'person:read',
  'plugin:read',
  'project:read',
  'user:read',
];

const PERMISSION_DENIED = error(
  'authentication_error',
  'permission_denied',
  'You do not have permission to perform this action.',
);
const missing = (scope: string) =>
  error('authentication_error', 'permission_denied', `API key missing required scope '${scope}'`);
const NO_KEY_ACCESS = error(
  'authentication_error',
  'permission_denied',
  'This action does not support Personal API Key access',
);

/**
 * Operations whose valid request from the test's generic builder (real ids from the seed, the request
 * schema's required fields) is not a 2xx even with the owner's `*` key, and why. The matrix still checks
 * that a key with the right scopes gets this same answer, and a key without them the 403.
 */
const NOT_2XX: Record<string, string> = {
  persons_create: 'PostHog refuses creating persons through the API (405), whatever the key',
};

let added = 0;
/** adds a key to the owner (user 1) of the store being served; returns its value */
function addKey(scopes: string[], restrict: Partial<PersonalApiKey> = {}): string {
  const value = `phx_scopes_test_${++added}`;
  api.mock.app.store.user(1).personal_api_keys.push({
    id: `00000000-0000-4000-8000-${String(added).padStart(12, '0')}`,
    label: 'scopes test',
    value,
    scopes,
    last_used_at: null,
    ...restrict,
  });
  return value;
}

/**
 * One request of `op` from the seeded state: real ids, a valid body when it needs one. `key` is a key's
 * value, or a function that adds one (after the reset) and returns it.
 */
async function call(op: Operation, key: string | (() => string), otherProject = false) {
  const store = api.mock.app.store;
  store.reset();
  const path = pathOf(store, op);
  const valid = validRequest(store, op, path);
  const url =
    (otherProject ? path.replace('/api/projects/1/', '/api/projects/2/') : path) +
    (valid.query ? `?${valid.query}` : '');
  return api.call(op.method, url, {
    key: typeof key === 'string' ? key : key(),
    ...(valid.body !== undefined ? { body: valid.body } : {}),
  });
}

const isWrite = (op: Operation) => op.method !== 'GET';
const scoped = operations.filter((op) => op.scope !== null);
const unscoped = operations.filter((op) => op.scope === null);
const baseline = new Map<string, number>();
const baselineBody = new Map<string, unknown>();

describe('the table', () => {
  test('reads need X:read, writes X:write; persons/cohorts needs person:read and cohort:read', () => {
    for (const op of scoped) {
      for (const scope of requiredScopes(op)!) {
        expect(scope).toMatch(isWrite(op) ? /:write$/ : /:read$/);
      }
    }
    expect(requiredScopes(operations.find((o) => o.id === 'persons_cohorts_retrieve')!)).toEqual([
      'person:read',
      'cohort:read',
    ]);
    expect(unscoped.length).toBeGreaterThan(0);
  });

  test('the read-only fixture key has every read scope the table uses, and nothing else', () => {
    const reads = scoped.filter((op) => !isWrite(op)).flatMap((op) => requiredScopes(op)!);
    expect([...new Set(reads)].sort()).toEqual(READ_SCOPES);
    expect(api.mock.app.store.keyByValue(FIXTURE_KEYS.readOnly)!.key.scopes).toEqual(READ_SCOPES);
  });

  test('X:write implies X:read, not the other way, and not across objects', () => {
    expect(grants(['person:write'], 'person:read')).toBe(true);
    expect(grants(['person:read'], 'person:write')).toBe(false);
    expect(grants(['person:write'], 'cohort:read')).toBe(false);
    expect(grants(['*'], 'plugin:write')).toBe(true);
  });

  test('GET /api/schema/ lists each operation’s scopes as its security requirement', async () => {
    const doc = buildOpenApiDocument() as {
      paths: Record<string, Record<string, { operationId: string; security: unknown }>>;
    };
    const byId = new Map(
      Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => [o.operationId, o.security])),
    );
    for (const op of operations) {
      expect(byId.get(op.id)).toEqual([{ PersonalAPIKeyAuth: op.scope === null ? [] : requiredScopes(op) }]);
    }
    const res = await request(api.mock.url).get('/api/schema/');
    expect(res.status).toBe(200);
    const served = JSON.parse(res.text) as {
      paths: Record<string, Record<string, { security: unknown }>>;
    };
    expect(served.paths['/api/projects/{project_id}/persons/cohorts/']!.get!.security).toEqual([
      { PersonalAPIKeyAuth: ['person:read', 'cohort:read'] },
    ]);
  });
});

/** one expected answer: a status and, for errors, PostHog's exact body */
type Expected = { status: number; body?: unknown } | 'baseline';
const refused = (detail: string): Expected => ({
  status: 403,
  body: error('authentication_error', 'permission_denied', detail),
});
const SCOPED_PROJECTS_ONLY = refused(
  'API keys with scoped projects are only supported on project-based endpoints.',
);
/** a page with nothing on it: the key's organizations hold none of the caller's */
const EMPTY_PAGE: Expected = { status: 200, body: { count: 0, next: null, previous: null, results: [] } };

/**
 * Rows whose handler applies a key's restrictions itself, as PostHog's querysets do (`restrictions:
 * 'handler'`: the root organization and project routes), and what each restricted fixture key gets there
 * instead of the path check's generic 403. The project-1 key on `/api/projects/1/` is the key's own project.
 */
const HANDLER_RESTRICTED: Record<string, { otherOrg: Expected; project1: Expected }> = {
  organizations_list: { otherOrg: EMPTY_PAGE, project1: SCOPED_PROJECTS_ONLY },
  organizations_retrieve: { otherOrg: { status: 404, body: NOT_FOUND }, project1: SCOPED_PROJECTS_ONLY },
  root_projects_list: { otherOrg: EMPTY_PAGE, project1: SCOPED_PROJECTS_ONLY },
  root_projects_retrieve: { otherOrg: { status: 404, body: NOT_FOUND }, project1: 'baseline' },
};

describe.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  beforeAll(async () => {
    const res = await call(op, KEYS.owner);
    baseline.set(op.id, res.status);
    baselineBody.set(op.id, res.body);
  });
  const expectAnswer = async (key: string | (() => string), expected: Expected) => {
    const res = await call(op, key);
    if (expected === 'baseline') expect(res.status).toBe(baseline.get(op.id));
    else
      expect({ status: res.status, body: res.body }).toEqual({
        status: expected.status,
        ...(expected.body === undefined ? {} : { body: expected.body }),
      });
  };

  if (op.sessionOnly) {
    test('refuses every key, the owner’s *, legacy and scoped keys alike (a session-only action)', async () => {
      expect(baselineBody.get(op.id)).toEqual(NO_KEY_ACCESS);
      for (const key of [FIXTURE_KEYS.readOnly, FIXTURE_KEYS.project1, () => addKey([])]) {
        await expectAnswer(key, { status: 403, body: NO_KEY_ACCESS });
      }
    });
    return;
  }

  test('the owner’s * key gets its normal answer', () => {
    const status = baseline.get(op.id)!;
    if (op.id in NOT_2XX) expect(status).toBeGreaterThanOrEqual(400);
    else expect(`${status} ${JSON.stringify(baselineBody.get(op.id))}`).toMatch(new RegExp(`^${op.status} `));
  });

  if (op.scope !== null && requiredScopes(op)!.length === 0) {
    test('needs no scope: any key, with no scope or unrelated ones, gets the same answer', async () => {
      for (const key of [() => addKey([]), () => addKey(['feature_flag:write']), FIXTURE_KEYS.readOnly]) {
        await expectAnswer(key, 'baseline');
      }
    });
  } else if (op.scope !== null) {
    const required = requiredScopes(op)!;

    test(`a key with exactly ${required.join(' and ')} gets the same answer`, async () => {
      const res = await call(op, () => addKey([...required]));
      expect(res.status).toBe(baseline.get(op.id));
    });

    test.each(required.map((s) => [s]))('a key without %s gets 403 naming it', async (scope) => {
      const others = required.filter((s) => s !== scope);
      // unrelated scopes do not help either
      const res = await call(op, () => addKey([...others, 'feature_flag:write']));
      expect(res.status).toBe(403);
      expect(res.body).toEqual(missing(scope));
    });

    if (!isWrite(op)) {
      test('a key with the write scope may read', async () => {
        const writes = required.map((s) => s.replace(/:read$/, ':write'));
        const res = await call(op, () => addKey(writes));
        expect(res.status).toBe(baseline.get(op.id));
      });
      test('the read-only fixture key may read', async () => {
        const res = await call(op, FIXTURE_KEYS.readOnly);
        expect(res.status).toBe(baseline.get(op.id));
      });
    } else {
      test('the read-only fixture key may not write', async () => {
        const res = await call(op, FIXTURE_KEYS.readOnly);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(missing(required[0]!));
      });
    }
  } else {
    test('refuses a scoped key, even one with every scope', async () => {
      const everything = [...new Set(scoped.flatMap((o) => requiredScopes(o)!))];
      for (const key of [FIXTURE_KEYS.readOnly, () => addKey(everything)]) {
        const res = await call(op, key);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(NO_KEY_ACCESS);
      }
    });

    test('allows a legacy key without a scope list', async () => {
      const res = await call(op, () => addKey([]));
      expect(res.status).toBe(baseline.get(op.id));
    });
  }

  const restrictions = op.restrictions ?? 'path';
  if (restrictions === 'none') {
    test('ignores the key’s project and organization restrictions (PostHog skips them here)', async () => {
      for (const key of [FIXTURE_KEYS.otherOrg, FIXTURE_KEYS.project1]) await expectAnswer(key, 'baseline');
    });
  } else if (restrictions === 'handler') {
    const expected = HANDLER_RESTRICTED[op.id]!;
    test('a key scoped to another organization sees none of this one', async () => {
      await expectAnswer(FIXTURE_KEYS.otherOrg, expected.otherOrg);
    });
    test('a key scoped to a project gets what PostHog answers it here', async () => {
      await expectAnswer(FIXTURE_KEYS.project1, expected.project1);
    });
    test('a key scoped to this organization may act on it', async () => {
      const org = api.mock.app.store.user(1).current_organization_id;
      await expectAnswer(() => addKey(['*'], { scoped_organizations: [org] }), 'baseline');
    });
  } else {
    test('a key scoped to another organization gets 403', async () => {
      const res = await call(op, FIXTURE_KEYS.otherOrg);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(PERMISSION_DENIED);
    });
  }

  if (restrictions === 'path' && op.path.includes(':project_id')) {
    test('a key scoped to project 1 may act on project 1, not on project 2', async () => {
      expect((await call(op, FIXTURE_KEYS.project1)).status).toBe(baseline.get(op.id));
      const res = await call(op, FIXTURE_KEYS.project1, true);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(PERMISSION_DENIED);
    });
    test('a key scoped to this organization may act on its projects', async () => {
      const org = api.mock.app.store.project('1', api.mock.app.store.user(1)).organization;
      const res = await call(op, () => addKey(['*'], { scoped_organizations: [org] }));
      expect(res.status).toBe(baseline.get(op.id));
    });
  } else if (restrictions === 'path') {
    test('a key scoped to a project gets 403 on organization-level endpoints', async () => {
      const res = await call(op, FIXTURE_KEYS.project1);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(PERMISSION_DENIED);
    });
    test('a key scoped to this organization may act on it', async () => {
      const org = api.mock.app.store.user(1).current_organization_id;
      const res = await call(op, () => addKey(['*'], { scoped_organizations: [org] }));
      expect(res.status).toBe(baseline.get(op.id));
    });
  }
});

test('the handler-restricted rows are exactly the table’s', () => {
  expect(Object.keys(HANDLER_RESTRICTED).sort()).toEqual(
    operations
      .filter((op) => op.restrictions === 'handler')
      .map((op) => op.id)
      .sort(),
  );
});

describe('fixture keys', () => {
  const withUsers = (users: unknown): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoped-keys-'));
    fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify(users));
    return dir;
  };
  const owner = () =>
    (JSON.parse(fs.readFileSync(path.join(DEFAULT_FIXTURES_DIR, 'users.json'), 'utf8')) as object[])[0]!;

  test('a users.json key takes scopes, projects and organizations, checked with file and place', () => {
    const dir = withUsers([
      { ...owner(), extra_api_keys: [{ personal_api_key: 'phx_x', scopes: ['person:admin'] }] },
    ]);
    expect(() => loadFixtures(dir)).toThrow(
      new FixtureError(
        `${path.join(dir, 'users.json')}: [0].extra_api_keys[0].scopes[0]: must match pattern "^(\\*|[a-z_]+:(read|write))$"`,
      ),
    );
    const teams = withUsers([{ ...owner(), scoped_teams: ['1'] }]);
    expect(() => loadFixtures(teams)).toThrow(/\[0\]\.scoped_teams\[0\]: must be integer/);
  });

  test('a key value appears once across all users and their extra keys', () => {
    const dir = withUsers([
      { ...owner(), extra_api_keys: [{ personal_api_key: 'phx_mock_owner_personal_api_key' }] },
    ]);
    expect(() => loadFixtures(dir)).toThrow(
      /personal_api_key "phx_mock_owner_personal_api_key" appears twice/,
    );
  });

  test('the seeded key records carry the fixture’s scopes and restrictions', () => {
    const keys = api.mock.app.store.user(1).personal_api_keys;
    expect(keys.map((k) => [k.value, k.scopes, k.scoped_teams, k.scoped_organizations])).toEqual([
      [KEYS.owner, ['*'], undefined, undefined],
      [FIXTURE_KEYS.readOnly, READ_SCOPES, undefined, undefined],
      [FIXTURE_KEYS.project1, ['*'], [1], undefined],
      [FIXTURE_KEYS.otherOrg, ['*'], undefined, ['0190a1b2-9999-7000-8000-000000000999']],
    ]);
  });
});

describe('keys outside strict mode and unknown keys', () => {
  test('an unknown key is 401 naming where it was found', async () => {
    const res = await api.get('/api/projects/1/persons/?personal_api_key=phx_nobody', { key: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      error(
        'authentication_error',
        'authentication_failed',
        'Personal API key found in request query string is invalid.',
      ),
    );
  });
});

describe('without strict keys, scopes are not enforced', () => {
  const loose = useMock({ seed: { personsPerProject: 10 } });
  test('the read-only and other-organization keys may write', async () => {
    for (const key of [FIXTURE_KEYS.readOnly, FIXTURE_KEYS.otherOrg, FIXTURE_KEYS.project1]) {
      const res = await loose.post(`/api/organizations/@current/roles/`, { name: `Role of ${key}` }, { key });
      expect(res.status).toBe(201);
    }
  });
});

describe('README example', () => {
  test('a read-only key may read persons but not delete one', async () => {
    const app = createApp({ strictKeys: true });
    const key = { Authorization: 'Bearer phx_mock_read_only_personal_api_key' };
    const list = await request(app).get('/api/projects/1/persons/').set(key);
    expect(list.status).toBe(200);
    const person = (list.body as { results: { id: number }[] }).results[0]!.id;
    const del = await request(app).delete(`/api/projects/1/persons/${person}/`).set(key);
    expect(del.status).toBe(403);
    expect(del.body).toEqual({
      type: 'authentication_error',
      code: 'permission_denied',
      detail: "API key missing required scope 'person:write'",
      attr: null,
    });
  });
});
