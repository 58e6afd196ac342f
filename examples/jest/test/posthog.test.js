const { mockApiKey, mockUrl } = require('posthog-mock/jest');
const { posthog } = require('../src/posthog');

const client = () => posthog({ host: mockUrl(), apiKey: mockApiKey() });
/** the mock's control plane: GET without a body, POST with one */
const mock = async (path, body) => {
  const init = body && {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
  return (await fetch(`${mockUrl()}/__mock${path}`, init)).json();
};

describe('the PostHog client against posthog-mock', () => {
  test('finds a seeded person by email', async () => {
    const persons = await client().findPersons(1, 'alice@example.com');
    expect(persons.map((p) => p.properties.email)).toEqual(['alice@example.com']);
  });

  test('creates a role, which the next list shows', async () => {
    const role = await client().createRole('Data team');
    expect(role).toMatchObject({ name: 'Data team', is_default: false });
    const names = (await client().listRoles()).results.map((r) => r.name);
    expect(names).toContain('Data team');
  });

  test('each test starts from the seeded data: the role made above is gone', async () => {
    const names = (await client().listRoles()).results.map((r) => r.name);
    expect(names).not.toContain('Data team');
    expect(names).toEqual(expect.arrayContaining(['Engineering', 'Support']));
  });

  test('the request journal shows what the client sent', async () => {
    const [person] = await client().findPersons(1, 'bob@example.com');
    await client().setPersonProperty(1, person.id, 'plan', 'enterprise');
    const journal = await mock('/requests?method=POST');
    expect(journal.results).toHaveLength(1);
    expect(journal.results[0]).toMatchObject({
      method: 'POST',
      path: `/api/projects/1/persons/${person.id}/update_property/`,
      body: { key: 'plan', value: 'enterprise' },
      status: 200,
    });
  });

  test('a 503 from PostHog is retried, and the retry succeeds', async () => {
    const rule = { method: 'POST', path: '/api/organizations/*/roles/', status: 503, times: 1 };
    expect(await mock('/faults', rule)).toMatchObject({ status: 503, remaining: 1 });
    const role = await client().createRole('Retried');
    expect(role.name).toBe('Retried');
    const statuses = (await mock('/requests?method=POST')).results.map((e) => e.status);
    expect(statuses).toEqual([201, 503]);
  });

  test("errors carry PostHog's body", async () => {
    await client().createRole('Twice');
    await expect(client().createRole('Twice')).rejects.toMatchObject({
      status: 400,
      body: { type: 'validation_error', code: 'unique', attr: 'name' },
    });
  });
});
