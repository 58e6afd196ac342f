// The README's jest example, as printed there (only the import path differs: 'posthog-mock' there).
import { startMockServer, type MockServer } from '../src/index';

// The code under test: lists role names, retrying server errors up to three attempts.
async function listRoles(host: string, key: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${host}/api/organizations/@current/roles/`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    if (res.status >= 500 && attempt < 3) continue;
    if (!res.ok) throw new Error(`PostHog answered ${res.status}`);
    const body = (await res.json()) as { results: { name: string }[] };
    return body.results.map((role) => role.name);
  }
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset()); // store, journal and fault rules back to their start

test('a 503 is retried, and the retry succeeds', async () => {
  mock.fault({ method: 'GET', path: '/api/organizations/*/roles', status: 503, times: 1 });

  const names = await listRoles(mock.url, mock.apiKey);

  expect(names.length).toBeGreaterThan(0);
  const calls = mock.requests({ path: '/api/organizations/*/roles' }); // newest first
  expect(calls.map((call) => call.status)).toEqual([200, 503]);
  expect(calls[0]).toMatchObject({ method: 'GET', operation_id: 'roles_list', key: 'phx_…_key' });
});

test('three 503s in a row: the client gives up with the error', async () => {
  mock.fault({ path: '/api/**', status: 503 });
  await expect(listRoles(mock.url, mock.apiKey)).rejects.toThrow('PostHog answered 503');
  expect(mock.requests({ status: 503 })).toHaveLength(3);
});

test('every test starts clean: no requests, no fault rules', async () => {
  expect(mock.requests()).toEqual([]);
  expect(await listRoles(mock.url, mock.apiKey)).toContain('Support');
});
