import request from 'supertest';
import { createApp } from '../src/app';
import { DEFAULT_MAX_WORLDS } from '../src/control/worlds';
import { mockUrl, resetMock } from '../src/jest';
import { ORG, useMock, validation } from './support/api';

/**
 * `isolateByKey`: each personal API key is served from its own copy of the seeded world, made on first
 * use; control-plane calls naming a key (`X-PostHog-Mock-Key` or `?key=`) act on that world. Worlds
 * outlive the per-test reset of the default world, so every test uses keys of its own.
 */
const api = useMock({ isolateByKey: true, seed: { personsPerProject: 20 } });
const ROLES = `/api/organizations/${ORG}/roles/`;
const PERSONS = '/api/projects/1/persons/';

let n = 0;
/** a key no other test uses */
const freshKey = (name: string) => `phx_isolation_${name}_${++n}`;
const control = () => request(api.mock.url);
const roleNames = async (key: string): Promise<string[]> =>
  ((await api.get(`${ROLES}?limit=1000`, { key })).body.results as { name: string }[])
    .map((r) => r.name)
    .sort();
const seededRoleNames = (): string[] =>
  [...api.mock.app.store.state.roles.values()]
    .filter((r) => r.organization_id === ORG)
    .map((r) => r.name)
    .sort();

describe('each key sees its own world', () => {
  test('two keys writing in parallel see only their own writes; a third key sees the seeded data', async () => {
    const [a, b, c] = [freshKey('a'), freshKey('b'), freshKey('c')];
    const seeded = seededRoleNames();
    const writes = Array.from({ length: 10 }, (_, i) => [
      api.post(ROLES, { name: `Role A${i}` }, { key: a }),
      api.post(ROLES, { name: `Role B${i}` }, { key: b }),
    ]).flat();
    for (const res of await Promise.all(writes)) expect(res.status).toBe(201);
    // the same name in both worlds is no clash: each world checks uniqueness in its own roles
    expect((await api.post(ROLES, { name: 'Role A0' }, { key: b })).status).toBe(201);

    const mine = (key: string, letter: string) =>
      [...seeded, ...Array.from({ length: 10 }, (_, i) => `Role ${letter}${i}`)].sort();
    expect(await roleNames(a)).toEqual(mine(a, 'A'));
    expect(await roleNames(b)).toEqual([...mine(b, 'B'), 'Role A0'].sort());
    expect(await roleNames(c)).toEqual(seeded);
    // the default world (requests without a key, and app.store) was not written either
    expect(seededRoleNames()).toEqual(seeded);
  });

  test('a delete in one world leaves the object in the others', async () => {
    const [a, b] = [freshKey('del-a'), freshKey('del-b')];
    const person = (await api.get(`${PERSONS}?limit=1`, { key: a })).body.results[0] as { id: number };
    expect((await api.delete(`${PERSONS}${person.id}/`, { key: a })).status).toBe(204);
    expect((await api.get(`${PERSONS}${person.id}/`, { key: a })).status).toBe(404);
    expect((await api.get(`${PERSONS}${person.id}/`, { key: b })).status).toBe(200);
  });

  test('a key in the query string or the body selects the same world as in the header', async () => {
    const a = freshKey('where');
    expect((await api.post(ROLES, { name: 'Header role' }, { key: a })).status).toBe(201);
    const byQuery = await api.get(`${ROLES}?limit=1000&personal_api_key=${a}`, { key: null });
    expect(byQuery.body.results.map((r: { name: string }) => r.name)).toContain('Header role');
    const byBody = await api.post(ROLES, { name: 'Header role', personal_api_key: a }, { key: null });
    expect(byBody.status).toBe(400);
    expect(byBody.body).toEqual(validation('unique', 'There is already a role with this name.', 'name'));
  });

  test('ids issued in a new world repeat those of any other new world (each starts from the same stream)', async () => {
    const [a, b] = [freshKey('ids-a'), freshKey('ids-b')];
    const ra = await api.post(ROLES, { name: 'Same id' }, { key: a });
    const rb = await api.post(ROLES, { name: 'Same id' }, { key: b });
    expect(ra.body.id).toBe(rb.body.id);
  });
});

describe('control-plane calls naming a key act on its world', () => {
  test('reset with a key resets only that world', async () => {
    const [a, b] = [freshKey('reset-a'), freshKey('reset-b')];
    await api.post(ROLES, { name: 'Kept by B' }, { key: b });
    await api.post(ROLES, { name: 'Dropped by A' }, { key: a });
    expect((await control().post('/__mock/reset').set('X-PostHog-Mock-Key', a)).status).toBe(204);
    expect(await roleNames(a)).toEqual(seededRoleNames());
    expect(await roleNames(b)).toContain('Kept by B');
    // a reset without a key is the default world's, and leaves B's world as it is
    expect((await control().post('/__mock/reset')).status).toBe(204);
    expect(await roleNames(b)).toContain('Kept by B');
  });

  test('resetMock(url, key) from posthog-mock/jest resets that key’s world', async () => {
    const a = freshKey('jest-reset');
    await api.post(ROLES, { name: 'Reset by helper' }, { key: a });
    await resetMock(api.mock.url, a);
    expect(await roleNames(a)).not.toContain('Reset by helper');
  });

  test('the journal is per world: a key sees its own requests, the default world none of them', async () => {
    const [a, b] = [freshKey('journal-a'), freshKey('journal-b')];
    await control().delete('/__mock/requests');
    await api.get(ROLES, { key: a });
    await api.post(ROLES, { name: 'Journaled' }, { key: a });
    await api.get(PERSONS, { key: b });
    const ofA = await control().get('/__mock/requests').query({ key: a });
    expect(ofA.status).toBe(200);
    expect(ofA.body.count).toBe(2);
    expect(ofA.body.results.map((e: { method: string }) => e.method)).toEqual(['POST', 'GET']);
    const ofB = await control().get('/__mock/requests?method=GET').set('X-PostHog-Mock-Key', b);
    expect(ofB.body.results.map((e: { path: string }) => e.path)).toEqual([PERSONS]);
    expect((await control().get('/__mock/requests/count')).body).toEqual({ count: 0 });
    expect((await control().delete('/__mock/requests').query({ key: a })).status).toBe(204);
    expect((await control().get('/__mock/requests/count').query({ key: a })).body).toEqual({ count: 0 });
    expect((await control().get('/__mock/requests/count').query({ key: b })).body).toEqual({ count: 1 });
  });

  test('fault rules are per world', async () => {
    const [a, b] = [freshKey('fault-a'), freshKey('fault-b')];
    const added = await control()
      .post('/__mock/faults')
      .set('X-PostHog-Mock-Key', a)
      .send({ method: 'GET', path: '/api/organizations/*/roles/', status: 503 });
    expect(added.status).toBe(201);
    expect((await api.get(ROLES, { key: a })).status).toBe(503);
    expect((await api.get(ROLES, { key: b })).status).toBe(200);
    expect((await control().get('/__mock/faults')).body).toEqual({ results: [] });
    expect((await control().get('/__mock/faults').query({ key: a })).body.results).toHaveLength(1);
    expect((await control().delete('/__mock/faults').query({ key: a })).status).toBe(204);
    expect((await api.get(ROLES, { key: a })).status).toBe(200);
  });

  test('state is per world: export one key’s world, load it into another’s', async () => {
    const [a, c] = [freshKey('state-a'), freshKey('state-c')];
    await api.post(ROLES, { name: 'Scenario role' }, { key: a });
    const doc = await control().get('/__mock/state').query({ key: a });
    expect(doc.status).toBe(200);
    expect((await control().put('/__mock/state').set('X-PostHog-Mock-Key', c).send(doc.body)).status).toBe(
      204,
    );
    expect(await roleNames(c)).toContain('Scenario role');
    expect(seededRoleNames()).not.toContain('Scenario role');
    // POST /__mock/seed with a key regenerates only that world
    const seed = await control().post('/__mock/seed').query({ key: c }).send({ seed: 7 });
    expect(seed.status).toBe(200);
    expect(await roleNames(c)).not.toContain('Scenario role');
    expect(await roleNames(a)).toContain('Scenario role');
  });

  test('a blank or repeated key is a 400 naming it', async () => {
    const blank = await control().post('/__mock/reset').set('X-PostHog-Mock-Key', ' ');
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual(validation('invalid_input', 'key must not be blank.', 'key'));
    const twice = await control().get('/__mock/requests?key=a&key=b');
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual(validation('invalid_input', 'key must be given once.', 'key'));
  });
});

describe('the bound on worlds', () => {
  test('by default 1000', () => {
    expect(DEFAULT_MAX_WORLDS).toBe(1000);
    expect(api.mock.app.worlds!.max).toBe(1000);
  });

  test('past maxWorlds the least recently used world is dropped; its key starts again from the seed', async () => {
    const app = createApp({ isolateByKey: true, maxWorlds: 2, seed: { personsPerProject: 5 } });
    const as = (key: string) => ({ Authorization: `Bearer ${key}` });
    const post = (key: string, name: string) => request(app).post(ROLES).set(as(key)).send({ name });
    const names = async (key: string) =>
      ((await request(app).get(ROLES).set(as(key))).body.results as { name: string }[]).map((r) => r.name);
    expect((await post('k1', 'One')).status).toBe(201);
    expect((await post('k2', 'Two')).status).toBe(201);
    expect(app.worlds!.size).toBe(2);
    // k1 used again, so k2 is now the least recently used
    expect(await names('k1')).toContain('One');
    expect((await post('k3', 'Three')).status).toBe(201);
    expect(app.worlds!.size).toBe(2);
    expect([app.worlds!.has('k1'), app.worlds!.has('k2'), app.worlds!.has('k3')]).toEqual([
      true,
      false,
      true,
    ]);
    const worlds = () => ['k1', 'k2', 'k3'].map((k) => app.worlds!.has(k));
    expect(await names('k1')).toContain('One');
    // k2 starts again from the seed, which drops k3, now the least recently used
    expect(await names('k2')).not.toContain('Two');
    expect(worlds()).toEqual([true, true, false]);
    expect(await names('k3')).not.toContain('Three');
    expect(() => createApp({ isolateByKey: true, maxWorlds: 0 })).toThrow(/maxWorlds must be a whole number/);
  });
});

describe('without isolateByKey', () => {
  test('every key shares the one world, and a control-plane call naming a key is a 400', async () => {
    const app = createApp({ seed: { personsPerProject: 5 } });
    const post = await request(app)
      .post(ROLES)
      .set('Authorization', 'Bearer phx_one')
      .send({ name: 'Shared' });
    expect(post.status).toBe(201);
    const seen = await request(app).get(ROLES).set('Authorization', 'Bearer phx_two');
    expect(seen.body.results.map((r: { name: string }) => r.name)).toContain('Shared');
    const res = await request(app).post('/__mock/reset').set('X-PostHog-Mock-Key', 'phx_one');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      validation(
        'invalid_input',
        'A key names an isolated world; start the mock with --isolate-by-key.',
        'key',
      ),
    );
    expect(app.worlds).toBeUndefined();
  });
});

describe('README example', () => {
  const key = `phx_worker_${process.env.JEST_WORKER_ID}`;
  beforeAll(() => {
    process.env.POSTHOG_MOCK_URL = api.mock.url;
  });
  afterAll(() => {
    delete process.env.POSTHOG_MOCK_URL;
  });
  beforeEach(() => resetMock(mockUrl(), key)); // this worker's world only

  test('my writes are mine', async () => {
    const res = await fetch(`${mockUrl()}/api/organizations/@current/roles/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Only in my world' }),
    });
    expect(res.status).toBe(201);
    expect(await roleNames(key)).toContain('Only in my world');
    expect(await roleNames(freshKey('other-worker'))).not.toContain('Only in my world');
  });

  test('the next test starts from the seed again', async () => {
    expect(await roleNames(key)).toEqual(seededRoleNames());
  });
});
