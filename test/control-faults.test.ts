import request from 'supertest';
import { createApp } from '../src/app';
import { startMockServer } from '../src/server';
import { checkLatency, MAX_DELAY_MS } from '../src/control/delays';
import type { FaultRule } from '../src/control/faults';
import { error, KEYS, ORG, useMock, validation } from './support/api';

const api = useMock();
const ROLES = `/api/organizations/${ORG}/roles/`;
const PERSONS = '/api/projects/1/persons/';

beforeEach(() => api.mock.reset());

const control = () => request(api.mock.url);
const addFault = async (rule: unknown) => {
  const res = await control()
    .post('/__mock/faults')
    .send(rule as object);
  expect(res.status).toBe(201);
  return res.body as FaultRule;
};
const elapsed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
};

const SERVICE_UNAVAILABLE = error(
  'server_error',
  'service_unavailable',
  'Service temporarily unavailable, try again later.',
);

describe('fault rules', () => {
  test("times: a rule answers 503 twice with PostHog's body, then the API answers again", async () => {
    const rule = await addFault({ method: 'get', path: '/api/projects/*/persons', status: 503, times: 2 });
    expect(rule).toEqual({
      id: 'fault_1',
      method: 'GET',
      path: '/api/projects/*/persons',
      status: 503,
      times: 2,
      remaining: 2,
      fired: 0,
    });
    for (let i = 0; i < 2; i++) {
      const res = await api.get(PERSONS);
      expect(res.status).toBe(503);
      expect(res.body).toEqual(SERVICE_UNAVAILABLE);
    }
    expect((await api.get(PERSONS)).status).toBe(200);
    const list = await control().get('/__mock/faults');
    expect(list.body.results).toEqual([{ ...rule, remaining: 0, fired: 2 }]);
  });

  test('a rule matches only its method and path glob', async () => {
    await addFault({ method: 'POST', path: '/api/organizations/**', status: 500 });
    expect((await api.get(ROLES)).status).toBe(200);
    expect((await api.get(PERSONS)).status).toBe(200);
    const res = await api.post(ROLES, { name: 'Never made' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(error('server_error', 'error', 'A server error occurred.'));
    expect([...api.mock.app.store.state.roles.values()].some((r) => r.name === 'Never made')).toBe(false);
  });

  test('the first live rule wins; a used-up rule lets the next one fire', async () => {
    await addFault({ path: '/api/**', status: 502, times: 1 });
    await addFault({ path: '/api/**', status: 504, times: 1 });
    expect((await api.get(ROLES)).body).toEqual(error('server_error', 'bad_gateway', 'Bad gateway.'));
    expect((await api.get(ROLES)).body).toEqual(error('server_error', 'gateway_timeout', 'Gateway timeout.'));
    expect((await api.get(ROLES)).status).toBe(200);
  });

  test('each forced status has a PostHog-shaped body (useMock checks every one against Error)', async () => {
    const expected: Record<number, [string, string, string]> = {
      400: ['validation_error', 'invalid_input', 'Invalid input.'],
      401: [
        'authentication_error',
        'authentication_failed',
        'Personal API key found in request Authorization header is invalid.',
      ],
      403: [
        'authentication_error',
        'permission_denied',
        'You do not have permission to perform this action.',
      ],
      404: ['invalid_request', 'not_found', 'Not found.'],
      409: ['invalid_request', 'error', 'Conflict.'],
      429: ['throttled_error', 'throttled', 'Request was throttled. Expected available in 1 second.'],
      500: ['server_error', 'error', 'A server error occurred.'],
      502: ['server_error', 'bad_gateway', 'Bad gateway.'],
      503: ['server_error', 'service_unavailable', 'Service temporarily unavailable, try again later.'],
      504: ['server_error', 'gateway_timeout', 'Gateway timeout.'],
      507: ['server_error', 'error', 'A server error occurred.'],
    };
    for (const [status, [type, code, detail]] of Object.entries(expected)) {
      const res = await api.get(ROLES, { headers: { Prefer: `code=${status}` } });
      expect(res.status).toBe(Number(status));
      expect(res.body).toEqual(error(type, code, detail));
      expect(res.headers['retry-after']).toBe(status === '429' ? '1' : undefined);
    }
  });

  test('429 carries Retry-After; retry_after sets it (and the message)', async () => {
    await addFault({ path: '/api/**', status: 429, retry_after: 30, times: 1 });
    const res = await api.get(ROLES);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toEqual(
      error('throttled_error', 'throttled', 'Request was throttled. Expected available in 30 seconds.'),
    );
  });

  test('a rule with a body answers that body as JSON', async () => {
    await addFault({ path: ROLES, status: 418, body: { message: 'teapot', n: [1, 2] } });
    const res = await request(api.mock.url).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`);
    expect(res.status).toBe(418);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ message: 'teapot', n: [1, 2] });
  });

  test('delay_ms without a status delays, then serves normally', async () => {
    await addFault({ path: ROLES, delay_ms: 150 });
    const [res, ms] = await elapsed(() => api.get(ROLES));
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(140);
  });

  test('authentication comes first: no key is a 401, and the rule is not used up', async () => {
    await addFault({ path: '/api/**', status: 503, times: 1 });
    const res = await api.get(ROLES, { key: null, headers: { Prefer: 'code=500' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('not_authenticated');
    expect((await api.get(ROLES)).status).toBe(503);
  });

  test('probability draws from a seeded stream: the same pattern after every reset', async () => {
    const run = async (): Promise<number[]> => {
      await addFault({ path: '/api/**', status: 503, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await api.get(ROLES)).status);
      return statuses;
    };
    const first = await run();
    api.mock.reset();
    const second = await run();
    expect(second).toEqual(first);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(21);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });

  test('DELETE one rule by id, or all; an unknown id is 404', async () => {
    const a = await addFault({ path: ROLES, status: 500 });
    const b = await addFault({ path: PERSONS, status: 500 });
    expect((await control().delete(`/__mock/faults/${a.id}`)).status).toBe(204);
    expect((await api.get(ROLES)).status).toBe(200);
    expect((await api.get(PERSONS)).status).toBe(500);
    const missing = await control().delete(`/__mock/faults/${a.id}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(error('invalid_request', 'not_found', 'No fault rule with this id.'));
    expect((await control().delete('/__mock/faults')).status).toBe(204);
    expect((await control().get('/__mock/faults')).body).toEqual({ results: [] });
    expect((await api.get(PERSONS)).status).toBe(200);
    expect(b.id).toBe('fault_2');
  });

  test('several rules at once with {rules: [...]}; one bad rule adds none', async () => {
    const bad = await control()
      .post('/__mock/faults')
      .send({
        rules: [
          { path: ROLES, status: 500 },
          { path: ROLES, status: 200 },
        ],
      });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(
      validation('invalid_input', 'status must be a whole number from 400 to 599.', 'rules__1__status'),
    );
    expect((await control().get('/__mock/faults')).body.results).toEqual([]);
    const ok = await control()
      .post('/__mock/faults')
      .send({
        rules: [
          { path: ROLES, status: 500 },
          { path: PERSONS, status: 503 },
        ],
      });
    expect(ok.status).toBe(201);
    expect((ok.body.results as FaultRule[]).map((r) => r.id)).toEqual(['fault_1', 'fault_2']);
  });

  test('rules are validated with 400s naming the field', async () => {
    const cases: [unknown, string | null, string][] = [
      [{ status: 500 }, 'path', 'path is required: a path glob such as /api/**.'],
      [{ path: 'api/x', status: 500 }, 'path', 'path must be a path glob starting with "/".'],
      [{ path: '/api/**' }, 'status', 'A rule needs a status, a delay_ms or both.'],
      [{ path: '/api/**', status: 200 }, 'status', 'status must be a whole number from 400 to 599.'],
      [{ path: '/api/**', status: '503' }, 'status', 'status must be a whole number from 400 to 599.'],
      [
        { path: '/api/**', method: 'FETCH', status: 500 },
        'method',
        expect.stringContaining('method must be'),
      ],
      [
        { path: '/api/**', delay_ms: MAX_DELAY_MS + 1 },
        'delay_ms',
        'delay_ms must be a whole number from 0 to 60000.',
      ],
      [{ path: '/api/**', status: 500, times: 0 }, 'times', 'times must be a whole number of at least 1.'],
      [
        { path: '/api/**', status: 500, probability: 0 },
        'probability',
        'probability must be a number above 0 and at most 1.',
      ],
      [{ path: '/api/**', delay_ms: 5, body: {} }, 'body', 'body needs a status to answer with.'],
      [
        { path: '/api/**', status: 500, when: 'now' },
        'when',
        expect.stringContaining('Unknown field "when"'),
      ],
      [[], null, 'A fault rule must be a JSON object.'],
    ];
    for (const [rule, attr, detail] of cases) {
      const res = await control()
        .post('/__mock/faults')
        .send(rule as object);
      expect([JSON.stringify(rule), res.status]).toEqual([JSON.stringify(rule), 400]);
      expect(res.body).toEqual(validation('invalid_input', detail, attr));
    }
    const broken = await control().post('/__mock/faults').set('Content-Type', 'application/json').send('{');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('parse_error');
    expect((await control().get('/__mock/faults')).body.results).toEqual([]);
  });

  test('fault() from code returns a handle that reports and removes its rule', async () => {
    const handle = api.mock.fault({ path: ROLES, status: 503, times: 3 });
    expect((await api.get(ROLES)).status).toBe(503);
    expect(handle.rule()).toMatchObject({ id: handle.id, remaining: 2, fired: 1 });
    expect(handle.remove()).toBe(true);
    expect(handle.rule()).toBeUndefined();
    expect((await api.get(ROLES)).status).toBe(200);
    expect(() => api.mock.fault({ path: ROLES, status: 99 })).toThrow(/status must be/);
  });

  test('reset removes the rules and restarts their ids and random stream', async () => {
    await addFault({ path: '/api/**', status: 500 });
    await control().post('/__mock/reset');
    expect((await control().get('/__mock/faults')).body.results).toEqual([]);
    expect((await api.get(ROLES)).status).toBe(200);
    expect((await addFault({ path: '/api/**', status: 500 })).id).toBe('fault_1');
  });
});

describe('Prefer header', () => {
  test('Prefer: code=503 fails that one request only', async () => {
    const res = await api.get(ROLES, { headers: { Prefer: 'code=503' } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(SERVICE_UNAVAILABLE);
    expect((await api.get(ROLES)).status).toBe(200);
  });

  test('Prefer: delay=200 delays it; code and delay combine; other preferences are ignored', async () => {
    const [res, ms] = await elapsed(() =>
      api.get(ROLES, { headers: { Prefer: 'return=minimal, delay=200' } }),
    );
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(190);
    const [both, ms2] = await elapsed(() => api.get(ROLES, { headers: { Prefer: 'code=500; delay=100' } }));
    expect(both.status).toBe(500);
    expect(ms2).toBeGreaterThanOrEqual(90);
  });

  test('a bad Prefer value is a 400 naming Prefer, and nothing is written', async () => {
    const before = api.mock.app.store.snapshot();
    for (const prefer of ['code=200', 'code=5xx', 'delay=-1', 'delay=60001', 'delay=abc']) {
      const res = await api.post(ROLES, { name: 'No' }, { headers: { Prefer: prefer } });
      expect([prefer, res.status]).toEqual([prefer, 400]);
      expect(res.body).toEqual(
        validation('invalid_input', expect.stringContaining('Prefer') as unknown as string, 'Prefer'),
      );
    }
    expect(api.mock.app.store.snapshot()).toEqual(before);
  });
});

describe('latency and shutdown', () => {
  const get = (app: ReturnType<typeof createApp>) =>
    request(app).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`);

  test('latency: a fixed delay on every API response, none on the control plane', async () => {
    const app = createApp({ latency: 120, seed: { personsPerProject: 5 } });
    const [res, ms] = await elapsed(() => get(app));
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(110);
    const [, controlMs] = await elapsed(() => request(app).get('/__mock/health'));
    expect(controlMs).toBeLessThan(110);
  });

  test('latency [min, max] is drawn within the range', async () => {
    const app = createApp({ latency: [40, 80], seed: { personsPerProject: 5 } });
    for (let i = 0; i < 3; i++) {
      const [res, ms] = await elapsed(() => get(app));
      expect(res.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(35);
    }
  });

  test('bad latency options are refused at start', () => {
    for (const bad of [-1, 1.5, 60_001, [50, 10], [0], 'x']) {
      expect(() => checkLatency(bad)).toThrow(/latency must be/);
    }
    expect(() => createApp({ latency: [10, 5] })).toThrow(/latency must be/);
  });

  test('a client that leaves during a delay frees its timer, and the journal says it never completed', async () => {
    const controller = new AbortController();
    const pending = fetch(`${api.mock.url}${ROLES}`, {
      headers: { Authorization: `Bearer ${KEYS.owner}`, Prefer: 'delay=60000' },
      signal: controller.signal,
    }).catch((err: Error) => err.name);
    while (api.mock.app.controls.delays.size === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await pending).toBe('AbortError');
    while (api.mock.app.controls.delays.size > 0) await new Promise((r) => setTimeout(r, 5));
    while (api.mock.requests().length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(api.mock.requests()[0]).toMatchObject({ path: ROLES, status: null, operation_id: 'roles_list' });
  });

  test('close() cancels a pending delay and drops its connection promptly', async () => {
    const mock = await startMockServer({ seed: { personsPerProject: 5 } });
    const pending = request(mock.url)
      .get(ROLES)
      .set('Authorization', `Bearer ${mock.apiKey}`)
      .set('Prefer', 'delay=60000')
      .then(
        (res) => res.status,
        (err: Error) => err.message,
      );
    while (mock.app.controls.delays.size === 0) await new Promise((r) => setTimeout(r, 5));
    const [, ms] = await elapsed(() => mock.close());
    expect(ms).toBeLessThan(2000);
    expect(await pending).toMatch(/socket hang up|ECONNRESET/);
    expect(mock.app.controls.delays.size).toBe(0);
  });
});
