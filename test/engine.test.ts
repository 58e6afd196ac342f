import request from 'supertest';
import { compileRoutes, matchRoute } from '../src/http/router';
import { operations } from '../src/operations';
import { checkResponse, error, KEYS, ORG, useMock, validation } from './support/api';

const api = useMock();
const ROLES = `/api/organizations/${ORG}/roles`;

describe('routing', () => {
  test('every path answers with and without its trailing slash', async () => {
    const a = await api.get(ROLES);
    const b = await api.get(`${ROLES}/`);
    expect(a.status).toBe(200);
    expect(a.body.count).toBe(b.body.count);
  });

  test('an unknown /api path is PostHog JSON 404, with or without a key', async () => {
    for (const key of [KEYS.owner, null]) {
      const res = await api.get('/api/organizations/nothing/here/', { key });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(error('invalid_request', 'not_found', 'Endpoint not found.'));
    }
  });

  test('a known path with a wrong method answers 405 with Allow', async () => {
    const res = await api.call('DELETE', `${ROLES}/`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.body).toEqual(error('invalid_request', 'method_not_allowed', 'Method "DELETE" not allowed.'));
  });

  test('OPTIONS lists the allowed methods', async () => {
    const res = await request(api.mock.url).options(`${ROLES}/`).set('Authorization', `Bearer ${KEYS.owner}`);
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
  });

  test('literal segments win over parameters', () => {
    const routes = compileRoutes(operations);
    for (const op of operations) {
      const concrete = op.path.replace(/:(\w+)/g, (_m, name: string) =>
        name === 'organization_id' ? ORG : '1',
      );
      expect(matchRoute(routes, concrete)?.route.template).toBe(op.path);
    }
  });

  test('every operation in the table is unique and has a scope decision', () => {
    const keys = operations.map((op) => `${op.method} ${op.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const op of operations)
      expect(op.scope === null || [op.scope].flat().every((s) => /^[a-z_]+:(read|write)$/.test(s))).toBe(
        true,
      );
  });
});

describe('organization in the path', () => {
  test('@current is the user’s organization', async () => {
    const res = await api.get('/api/organizations/@current/roles/');
    expect(res.body.count).toBe(4);
  });

  test.each(['not-a-uuid', '11111111-2222-4333-8444-555555555555', '123'])(
    '%s is 404 Organization not found.',
    async (org) => {
      const res = await api.get(`/api/organizations/${org}/roles/`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(error('invalid_request', 'not_found', 'Organization not found.'));
    },
  );
});

describe('authentication', () => {
  test('no key is 401 not_authenticated', async () => {
    const res = await api.get(`${ROLES}/`, { key: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      error('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'),
    );
  });

  test('a key is read from the Authorization header, the body or the query string', async () => {
    expect((await api.get(`${ROLES}/?personal_api_key=${KEYS.member}`, { key: null })).status).toBe(200);
    const viaBody = await api.post(
      `${ROLES}/`,
      { name: 'Body key', personal_api_key: KEYS.admin },
      { key: null },
    );
    expect(viaBody.status).toBe(201);
    expect(viaBody.body.created_by.email).toBe('admin@hedgebox.test');
    const spaced = await api.get(`${ROLES}/`, {
      key: null,
      headers: { Authorization: `Bearer   ${KEYS.owner}  ` },
    });
    expect(spaced.status).toBe(200);
  });

  test('any other key acts as the seeded owner by default', async () => {
    const res = await api.post(`${ROLES}/`, { name: 'Any key' }, { key: 'phx_whatever' });
    expect(res.status).toBe(201);
    expect(res.body.created_by.email).toBe('owner@hedgebox.test');
  });
});

describe('bodies', () => {
  test('malformed JSON is 400 parse_error and changes nothing', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await request(api.mock.url)
      .post(`${ROLES}/`)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    checkResponse('POST', `${ROLES}/`, res);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'invalid_request', code: 'parse_error', attr: null });
    expect(res.body.detail).toMatch(/^JSON parse error - /);
    expect(api.mock.app.store.snapshot()).toEqual(before);
  });

  test('an unsupported media type is 415', async () => {
    const res = await request(api.mock.url)
      .post(`${ROLES}/`)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .set('Content-Type', 'text/plain')
      .send('name=x');
    checkResponse('POST', `${ROLES}/`, res);
    expect(res.status).toBe(415);
    expect(res.body).toEqual(
      error('invalid_request', 'unsupported_media_type', 'Unsupported media type "text/plain" in request.'),
    );
  });

  test('a JSON body that is not an object is a validation error', async () => {
    const res = await api.post(`${ROLES}/`, ['a']);
    expect(res.body).toEqual(
      validation('invalid_input', 'Invalid data. Expected a dictionary, but got list.'),
    );
  });
});

describe('pagination', () => {
  test('junk limit falls back to 100, junk offset to 0, offset past the end is empty', async () => {
    for (const q of ['limit=0', 'limit=-3', 'limit=abc', 'offset=-1', 'offset=x']) {
      const res = await api.get(`${ROLES}/?${q}`);
      expect(res.body.results).toHaveLength(4);
    }
    const past = await api.get(`${ROLES}/?offset=50`);
    expect(past.body).toMatchObject({ count: 4, results: [], next: null });
    expect(past.body.previous).toBe(`${api.mock.url}${ROLES}/?limit=100`);
  });

  test('other query parameters are kept, re-encoded alphabetically', async () => {
    const res = await api.get(`${ROLES}/?zeta=a%20b&limit=1&alpha=1`);
    expect(res.body.next).toBe(`${api.mock.url}${ROLES}/?alpha=1&limit=1&offset=1&zeta=a+b`);
  });
});

describe('health', () => {
  test('/_health answers without a key', async () => {
    const res = await request(api.mock.url).get('/_health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
