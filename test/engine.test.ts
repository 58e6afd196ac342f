import http from 'node:http';
import request from 'supertest';
import { compileRoutes, matchRoute } from '../src/http/router';
import { operations } from '../src/operations';
import { checkResponse, error, KEYS, ORG, useMock, validation } from './support/api';

const api = useMock();
const ROLES = `/api/organizations/${ORG}/roles`;

describe('routing', () => {
  test('every GET path answers the same with and without its trailing slash', async () => {
    // answers that hold the time of the request, or links to the request as it was written
    const timeless = (body: unknown) =>
      JSON.parse(JSON.stringify(body), (k, v) =>
        ['last_refresh', 'effective_date_to'].includes(k)
          ? null
          : typeof v === 'string' && v.startsWith(api.mock.url)
            ? v.replace(/\/(\?|$)/, '$1')
            : v,
      );
    const gets = operations.filter((op) => op.method === 'GET');
    expect(gets.length).toBeGreaterThan(30);
    for (const op of gets) {
      const concrete = op.path.replace(/:(\w+)/g, (_m, name: string) =>
        name === 'organization_id' ? ORG : '1',
      );
      const a = await api.get(concrete);
      const b = await api.get(`${concrete}/`);
      expect([op.path, a.status, a.headers['content-type'], timeless(a.body)]).toEqual([
        op.path,
        b.status,
        b.headers['content-type'],
        timeless(b.body),
      ]);
    }
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

  test('path parameters are percent-decoded; a broken escape matches no route', async () => {
    expect((await api.get('/api/organizations/%40current/roles/')).body.count).toBe(4);
    for (const url of ['/api/organizations/%E0%A4%A/roles/', `${ROLES}/%ZZ/`]) {
      const res = await api.get(url);
      expect([res.status, res.body]).toEqual([
        404,
        error('invalid_request', 'not_found', 'Endpoint not found.'),
      ]);
    }
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

  test('routes: one per path template, holding its methods and parameter names', () => {
    const routes = compileRoutes(operations);
    const templates = [...new Set(operations.map((op) => op.path))];
    expect(routes.map((r) => r.template).sort()).toEqual([...templates].sort());
    for (const route of routes) {
      const methods = operations.filter((op) => op.path === route.template).map((op) => op.method);
      expect(Object.keys(route.operations).sort()).toEqual([...methods].sort());
      expect(route.paramNames).toEqual([...route.template.matchAll(/:(\w+)/g)].map((m) => m[1]));
    }
    // fewer parameters first, so that literal segments win
    const counts = routes.map((r) => r.paramNames.length);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  test('routes: a duplicate operation is refused; literal segments are matched literally', () => {
    const op = (method: 'GET' | 'POST', path: string) =>
      ({ id: path, method, path, scope: null, status: 200, handler: () => null }) as const;
    expect(() => compileRoutes([op('GET', '/api/x'), op('GET', '/api/x')])).toThrow(
      'duplicate operation GET /api/x',
    );
    const routes = compileRoutes([
      op('GET', '/api/a.b'),
      op('POST', '/api/a.b'),
      op('GET', '/api/items/:id'),
    ]);
    expect(routes).toHaveLength(2);
    expect(matchRoute(routes, '/api/a.b')?.route.operations.POST?.path).toBe('/api/a.b');
    expect(matchRoute(routes, '/api/aXb')).toBeUndefined();
    expect(matchRoute(routes, '/api/items/7/')).toEqual({ route: routes[1], params: { id: '7' } });
    expect(matchRoute(routes, '/api/items/7/more')).toBeUndefined();
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

  test('the header wins over the body, and the body over the query string', async () => {
    // a member may not create roles, an admin may: who acted shows which key was read
    const headerOverBody = await api.post(
      `${ROLES}/`,
      { name: 'Header wins', personal_api_key: KEYS.admin },
      { key: KEYS.member },
    );
    expect(headerOverBody.status).toBe(403);
    const bodyOverQuery = await api.post(
      `${ROLES}/?personal_api_key=${KEYS.member}`,
      { name: 'Body wins', personal_api_key: KEYS.admin },
      { key: null },
    );
    expect(bodyOverQuery.status).toBe(201);
    expect(bodyOverQuery.body.created_by.email).toBe('admin@hedgebox.test');
    // a project's effective_membership_level is the caller's level: 8 admin, 1 member
    const PROJECT = `/api/organizations/${ORG}/projects/1/?personal_api_key=${KEYS.admin}`;
    const queryOnly = await api.get(PROJECT, { key: null });
    expect(queryOnly.body.effective_membership_level).toBe(8);
    const headerOverQuery = await api.get(PROJECT, { key: KEYS.member });
    expect(headerOverQuery.body.effective_membership_level).toBe(1);
  });

  describe('with strictKeys', () => {
    const strict = useMock({ strictKeys: true });
    const failed = (where: string) =>
      error(
        'authentication_error',
        'authentication_failed',
        `Personal API key found in request ${where} is invalid.`,
      );

    test('a seeded key is accepted and acts as its user', async () => {
      const res = await strict.get(`/api/organizations/${ORG}/projects/1/`, { key: KEYS.admin });
      expect(res.status).toBe(200);
      expect(res.body.effective_membership_level).toBe(8);
    });

    test('an unknown key is 401 authentication_failed, naming where it was found, and writes nothing', async () => {
      const before = strict.mock.app.store.snapshot();
      const header = await strict.post(`${ROLES}/`, { name: 'Nope' }, { key: 'phx_unknown' });
      expect(header.status).toBe(401);
      expect(header.body).toEqual(failed('Authorization header'));
      // the first key found is judged, even when a later place holds a good one
      const body = await strict.post(
        `${ROLES}/?personal_api_key=${KEYS.owner}`,
        { name: 'Nope', personal_api_key: 'phx_unknown' },
        { key: null },
      );
      expect(body.status).toBe(401);
      expect(body.body).toEqual(failed('body'));
      const query = await strict.get(`${ROLES}/?personal_api_key=phx_unknown`, { key: null });
      expect(query.status).toBe(401);
      expect(query.body).toEqual(failed('query string'));
      expect(strict.mock.app.store.snapshot()).toEqual(before);
    });
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
    expect(res.body).toEqual(
      error('invalid_request', 'parse_error', expect.stringMatching(/^JSON parse error - /)),
    );
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

describe('request details', () => {
  const raw = () => request(api.mock.url);
  const bearer = `Bearer ${KEYS.owner}`;

  test('the Bearer word is case-insensitive; other schemes and empty keys are no key', async () => {
    const lower = await raw().get(`${ROLES}/`).set('Authorization', `bearer ${KEYS.owner}`);
    expect(lower.status).toBe(200);
    const notAuthenticated = error(
      'authentication_error',
      'not_authenticated',
      'Authentication credentials were not provided.',
    );
    for (const res of [
      await api.get(`${ROLES}/`, { key: null, headers: { Authorization: `Token ${KEYS.owner}` } }),
      await api.get(`${ROLES}/?personal_api_key=`, { key: null }),
      await api.post(`${ROLES}/`, { name: 'x', personal_api_key: '' }, { key: null }),
      await api.post(`${ROLES}/`, { name: 'x', personal_api_key: 7 }, { key: null }),
    ]) {
      expect([res.status, res.body]).toEqual([401, notAuthenticated]);
    }
  });

  test('the body of a GET is not read, not even for a key', async () => {
    const res = await raw()
      .get(`${ROLES}/`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ personal_api_key: KEYS.admin }));
    expect(res.status).toBe(401);
    const junk = await raw()
      .get(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(junk.status).toBe(200);
  });

  test('an unknown object answers 404 before its body is judged', async () => {
    const res = await api.patch(`${ROLES}/0190a1b2-2999-7000-8000-000000000009/`, { name: '' });
    expect(res.body).toEqual(error('invalid_request', 'not_found', 'Not found.'));
  });

  test('OPTIONS answers 200 with Allow and no body', async () => {
    const res = await raw().options(`/api/organizations/${ORG}/members/@me`).set('Authorization', bearer);
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('PUT, PATCH, DELETE, OPTIONS');
    expect(res.text).toBe('');
  });

  test('JSON media types with +json parse as JSON', async () => {
    const res = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'application/vnd.api+json')
      .send(JSON.stringify({ name: 'Vendor JSON' }));
    checkResponse('POST', `${ROLES}/`, res);
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Vendor JSON');
  });

  test('an empty body is an empty object, whatever its type; a JSON null is refused; DELETE may carry any body', async () => {
    const required = validation('required', 'This field is required.', 'name');
    const emptyForm = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('');
    expect(emptyForm.body).toEqual(required);
    const emptyText = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'text/plain');
    expect(emptyText.body).toEqual(required);
    const emptyJson = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'application/json')
      .send('');
    expect(emptyJson.body).toEqual(required);
    const nullJson = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'application/json')
      .send('null');
    // a JSON null is not an empty body: PostHog refuses it (issue 9)
    expect(nullJson.status).toBe(400);
    expect(nullJson.body).toEqual(validation('null', 'This field may not be null.'));
    const created = await api.post(`${ROLES}/`, { name: 'Doomed' });
    const deleted = await raw()
      .delete(`${ROLES}/${created.body.id}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'text/plain')
      .send('whatever');
    expect(deleted.status).toBe(204);
  });

  test('a chunked body (no Content-Length) is read; HEAD and zero-length bodies are not', async () => {
    const send = (method: string, headers: Record<string, string>, chunks: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(new URL(`${ROLES}/`, api.mock.url), { method, headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    const chunked = await send(
      'POST',
      { Authorization: bearer, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      ['{"name": "Chun', 'ked"}'],
    );
    expect(chunked.status).toBe(201);
    expect(JSON.parse(chunked.body).name).toBe('Chunked');
    const head = await send(
      'HEAD',
      { Authorization: bearer, 'Content-Type': 'text/plain', 'Content-Length': '1' },
      ['x'],
    );
    expect(head.status).toBe(200);
    const zero = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'text/plain')
      .set('Content-Length', '0');
    expect(zero.body).toEqual(validation('required', 'This field is required.', 'name'));
  });

  test('a broken multipart body is 400 parse_error and changes nothing', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await raw()
      .post(`${ROLES}/`)
      .set('Authorization', bearer)
      .set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nunterminated');
    checkResponse('POST', `${ROLES}/`, res);
    expect(res.body).toEqual(
      error('invalid_request', 'parse_error', expect.stringMatching(/^Multipart form parse error - /)),
    );
    expect(api.mock.app.store.snapshot()).toEqual(before);
  });
});

describe('pagination', () => {
  test('junk offset falls back to 0; an offset past the end is empty with the real count', async () => {
    const all = await api.get(`${ROLES}/`);
    expect(all.body.results).toHaveLength(4);
    for (const q of ['offset=-1', 'offset=x', 'offset=1.5', 'offset=0']) {
      const res = await api.get(`${ROLES}/?${q}`);
      expect(res.body.results).toEqual(all.body.results);
      expect(res.body.previous).toBeNull();
    }
    const past = await api.get(`${ROLES}/?offset=50`);
    expect(past.body).toEqual({
      count: 4,
      next: null,
      previous: `${api.mock.url}${ROLES}/?limit=100`,
      results: [],
    });
  });

  test('next is null exactly at the end, a link one item before it', async () => {
    const boundary = await api.get(`${ROLES}/?limit=2&offset=2`);
    expect(boundary.body.results).toHaveLength(2);
    expect(boundary.body.next).toBeNull();
    expect(boundary.body.previous).toBe(`${api.mock.url}${ROLES}/?limit=2`);
    expect((await api.get(`${ROLES}/?limit=4`)).body.next).toBeNull();
    const before = await api.get(`${ROLES}/?limit=3`);
    expect(before.body.next).toBe(`${api.mock.url}${ROLES}/?limit=3&offset=3`);
    const middle = await api.get(`${ROLES}/?limit=1&offset=2`);
    expect(middle.body.previous).toBe(`${api.mock.url}${ROLES}/?limit=1&offset=1`);
    expect(middle.body.next).toBe(`${api.mock.url}${ROLES}/?limit=1&offset=3`);
  });

  test('other query parameters are kept, re-encoded alphabetically', async () => {
    const res = await api.get(`${ROLES}/?zeta=a%20b&limit=1&alpha=1`);
    expect(res.body.next).toBe(`${api.mock.url}${ROLES}/?alpha=1&limit=1&offset=1&zeta=a+b`);
  });
});

describe('pagination defaults on long lists', () => {
  const big = useMock({ seed: { personsPerProject: 130 } });
  const PERSONS = '/api/projects/1/persons';

  test('a missing or junk limit gives pages of 100', async () => {
    for (const q of ['', 'limit=0', 'limit=-3', 'limit=abc', 'limit=2.5', 'limit=']) {
      const res = await big.get(`${PERSONS}/?${q}`);
      expect(res.body.count).toBe(130);
      expect(res.body.results).toHaveLength(100);
      expect(res.body.next).toMatch(/[?&]limit=100&offset=100$/);
    }
  });

  test('activity pages hold 10 entries unless a limit is given', async () => {
    for (let step = 1; step <= 12; step++) {
      const res = await big.patch(`${PERSONS}/1/`, { properties: { step } });
      expect(res.status).toBe(200);
    }
    const first = await big.get(`${PERSONS}/activity/`);
    expect(first.body.total_count).toBe(12);
    expect(first.body.results).toHaveLength(10);
    expect(first.body.next).toBe(`${big.mock.url}${PERSONS}/activity/?limit=10&page=2`);
    expect(first.body.previous).toBeNull();
    const second = await big.get(`${PERSONS}/activity/?page=2`);
    expect(second.body.results).toHaveLength(2);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toBe(`${big.mock.url}${PERSONS}/activity/?limit=10&page=1`);
    const junk = await big.get(`${PERSONS}/activity/?limit=x&page=0`);
    expect(junk.body.results).toEqual(first.body.results);
    const exact = await big.get(`${PERSONS}/activity/?limit=6&page=2`);
    expect(exact.body.results).toHaveLength(6);
    expect(exact.body.next).toBeNull();
  });
});

describe('HEAD and unexpected errors', () => {
  test('HEAD answers what GET answers, without a body', async () => {
    const get = await request(api.mock.url).get(`${ROLES}/`).set('Authorization', `Bearer ${KEYS.owner}`);
    const head = await request(api.mock.url).head(`${ROLES}/`).set('Authorization', `Bearer ${KEYS.owner}`);
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.text ?? '').toBe('');
    const missing = await request(api.mock.url)
      .head(`${ROLES}/0190a1b2-ffff-7000-8000-000000000000/`)
      .set('Authorization', `Bearer ${KEYS.owner}`);
    expect(missing.status).toBe(404);
  });

  test('an unexpected exception answers PostHog’s 500 body, without its message or stack', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const thrown = jest.spyOn(api.mock.app.store, 'organization').mockImplementation(() => {
      throw new Error('secret internals');
    });
    try {
      const res = await api.get(`${ROLES}/`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual(error('server_error', 'error', 'A server error occurred.'));
      expect(res.text).not.toMatch(/secret internals|at /);
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      thrown.mockRestore();
      logged.mockRestore();
    }
    expect((await api.get(`${ROLES}/`)).status).toBe(200);
  });
});

describe('health', () => {
  test('/_health answers without a key', async () => {
    const res = await request(api.mock.url).get('/_health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
