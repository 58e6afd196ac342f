import request from 'supertest';
import { createApp } from '../src/app';
import type { JournalEntry } from '../src/control/journal';
import { error, KEYS, ORG, useMock, validation } from './support/api';

const api = useMock();
const ROLES = `/api/organizations/${ORG}/roles/`;
const PERSONS = '/api/projects/1/persons/';

beforeEach(() => api.mock.reset());

const journal = async (query = ''): Promise<{ count: number; results: JournalEntry[] }> => {
  const res = await request(api.mock.url).get(`/__mock/requests${query}`);
  expect(res.status).toBe(200);
  return res.body as { count: number; results: JournalEntry[] };
};

describe('request journal', () => {
  test('one entry per request: time, method, path, query, body as received, masked key, operation, status, duration', async () => {
    const before = Date.now();
    const res = await api.post(`${ROLES}?source=test`, { name: 'Journaled', extra: 'kept as sent' });
    expect(res.status).toBe(201);
    const { count, results } = await journal();
    expect(count).toBe(1);
    const [entry] = results;
    expect(entry).toEqual({
      id: 1,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      method: 'POST',
      path: ROLES,
      query: { source: 'test' },
      body: { name: 'Journaled', extra: 'kept as sent' },
      key: 'phx_…_key',
      operation_id: 'roles_create',
      status: 201,
      duration_ms: expect.any(Number),
    });
    expect(Date.parse(entry!.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(entry!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(results)).not.toContain(KEYS.owner);
  });

  test('keys are masked wherever they were sent: header, query string, body', async () => {
    await api.get(`${ROLES}?personal_api_key=${KEYS.member}`, { key: null });
    await api.post(ROLES, { name: 'Via body', personal_api_key: KEYS.admin }, { key: null });
    const { results } = await journal();
    expect(results.map((e) => e.key)).toEqual(['phx_…_key', 'phx_…_key']);
    expect(results[1]!.query).toEqual({ personal_api_key: 'phx_…_key' });
    expect(results[0]!.body).toEqual({ name: 'Via body', personal_api_key: 'phx_…_key' });
    const text = JSON.stringify(results);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
  });

  test('a request without a key has key null; GET has body null', async () => {
    await api.get(ROLES, { key: null });
    const [entry] = (await journal()).results;
    expect(entry).toMatchObject({ key: null, body: null, status: 401, operation_id: 'roles_list' });
  });

  test('unknown routes and methods are journaled with operation_id null', async () => {
    await api.get('/api/nothing/here/');
    await api.call('DELETE', ROLES);
    await request(api.mock.url).get('/elsewhere');
    const { results } = await journal();
    expect(results.map((e) => [e.method, e.path, e.status, e.operation_id])).toEqual([
      ['GET', '/elsewhere', 404, null],
      ['DELETE', ROLES, 405, null],
      ['GET', '/api/nothing/here/', 404, null],
    ]);
  });

  test('control-plane calls are not journaled', async () => {
    await api.get(ROLES);
    await request(api.mock.url).get('/__mock/health');
    await request(api.mock.url).get('/__mock/requests/count');
    expect((await journal()).count).toBe(1);
  });

  test('newest first, with filters method, path glob, status (exact or class), since and limit', async () => {
    await api.get(ROLES);
    await api.get(`${PERSONS}?limit=1`);
    const mid = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await api.get(`${PERSONS}999999/`);
    await api.post(ROLES, { name: 'Filtered' });
    const all = await journal();
    expect(all.results.map((e) => e.id)).toEqual([4, 3, 2, 1]);

    expect((await journal('?method=post')).results.map((e) => e.id)).toEqual([4]);
    expect((await journal('?path=/api/projects/*/persons/**')).results.map((e) => e.id)).toEqual([3, 2]);
    expect((await journal('?path=/api/projects/*/persons')).results.map((e) => e.id)).toEqual([2]);
    expect((await journal('?status=404')).results.map((e) => e.id)).toEqual([3]);
    expect((await journal('?status=2xx')).results.map((e) => e.id)).toEqual([4, 2, 1]);
    expect((await journal(`?since=${encodeURIComponent(mid)}`)).results.map((e) => e.id)).toEqual([4, 3]);
    const limited = await journal('?method=GET&limit=2');
    expect(limited.count).toBe(3);
    expect(limited.results.map((e) => e.id)).toEqual([3, 2]);

    const count = await request(api.mock.url).get('/__mock/requests/count?method=GET&status=2xx');
    expect(count.status).toBe(200);
    expect(count.body).toEqual({ count: 2 });
    expect(api.mock.requests({ method: 'GET', path: '/api/organizations/**' }).map((e) => e.id)).toEqual([1]);
  });

  test('bad filters are 400s naming the filter', async () => {
    const cases: [string, string][] = [
      ['?status=abc', 'status'],
      ['?status=600', 'status'],
      ['?since=yesterday', 'since'],
      ['?limit=0', 'limit'],
      ['?limit=x', 'limit'],
      ['?path=api/roles', 'path'],
      ['?method=GET%20', 'method'],
      ['?verb=GET', 'verb'],
      ['?method=GET&method=POST', 'method'],
    ];
    for (const [query, attr] of cases) {
      const res = await request(api.mock.url).get(`/__mock/requests${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body).toEqual(validation('invalid_input', expect.any(String) as unknown as string, attr));
    }
    const count = await request(api.mock.url).get('/__mock/requests/count?limit=3');
    expect(count.status).toBe(400);
    expect(count.body.attr).toBe('limit');
  });

  test('DELETE /__mock/requests empties it; ids start again from 1', async () => {
    await api.get(ROLES);
    const del = await request(api.mock.url).delete('/__mock/requests');
    expect(del.status).toBe(204);
    expect((await journal()).count).toBe(0);
    await api.get(ROLES);
    expect((await journal()).results.map((e) => e.id)).toEqual([1]);
  });

  test('reset empties the journal along with the store', async () => {
    await api.get(ROLES);
    await request(api.mock.url).post('/__mock/reset');
    expect((await journal()).count).toBe(0);
  });
});

describe('journal options', () => {
  const call = (app: ReturnType<typeof createApp>, url: string) =>
    request(app).get(url).set('Authorization', `Bearer ${KEYS.owner}`);

  test('journalSize bounds it: the oldest entries go first', async () => {
    const app = createApp({ journalSize: 3, seed: { personsPerProject: 5 } });
    for (let i = 0; i < 5; i++) await call(app, `${ROLES}?i=${i}`);
    const res = await request(app).get('/__mock/requests');
    expect(res.body.count).toBe(3);
    expect((res.body.results as JournalEntry[]).map((e) => [e.id, e.query.i])).toEqual([
      [5, '4'],
      [4, '3'],
      [3, '2'],
    ]);
  });

  test('journalSize 0 turns it off, and reading it says so instead of answering 0', async () => {
    const app = createApp({ journalSize: 0, seed: { personsPerProject: 5 } });
    await call(app, ROLES);
    for (const path of ['/__mock/requests', '/__mock/requests/count']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(409);
      expect(res.body).toEqual(
        error(
          'invalid_request',
          'journal_disabled',
          'The request journal is off (journalSize is 0), so there are no requests to read.',
        ),
      );
    }
    expect(() => createApp({ journalSize: -1 })).toThrow(/journalSize/);
  });

  test('a body over 64 KiB is journaled as null, the request still served', async () => {
    const app = createApp({ seed: { personsPerProject: 5 } });
    const res = await request(app)
      .post(ROLES)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .send({ name: 'Big', padding: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(201);
    const [entry] = (await request(app).get('/__mock/requests')).body.results as JournalEntry[];
    expect(entry).toMatchObject({ status: 201, body: null });
  });
});
