import request from 'supertest';
import { error, expectUnchanged, useMock, validation, expectFields } from './support/api';

const api = useMock();
const PERSONS = '/api/projects/1/persons';
const ALICE = '0190a1b2-5001-7000-8000-000000000001';

interface Person {
  id: number;
  uuid: string;
  properties: Record<string, unknown>;
}
interface Body {
  results: { people: Person[]; count: number }[];
  next: string | null;
}

const uuids = (body: Body): string[] => body.results[0]!.people.map((p) => p.uuid);
const path = (url: string): string => url.replace(api.mock.url, '');
/** an absolute link as the mock builds them: query parameters in alphabetical order */
const link = (pathname: string, query: string): string => {
  const params = new URLSearchParams(query);
  params.sort();
  return `${api.mock.url}${pathname}?${params.toString()}`;
};

/** Every person of an insight, following `next` to the end (these envelopes have no total count). */
async function allPeople(url: string, post?: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let next: string | null = url;
  for (let pages = 0; next; pages++) {
    if (pages > 100) throw new Error('pagination does not end');
    const res = post ? await api.post(path(next), post) : await api.get(path(next));
    expect(res.status).toBe(200);
    const body = res.body as Body;
    expect(body.results[0]!.count).toBe(body.results[0]!.people.length);
    seen.push(...uuids(body));
    next = body.next;
  }
  return seen;
}

/** one representative query per operation */
const GETS: [string, string][] = [
  ['funnel', 'funnel_step=1&date_from=-14d'],
  ['funnel/correlation', 'funnel_step=2&funnel_correlation_person_converted=true'],
  ['trends', 'entity_id=%24pageview&entity_type=events&entity_math=dau&date_from=-7d&interval=day'],
  ['lifecycle', 'target_date=2025-05-01&lifecycle_type=new&date_from=-30d'],
  ['stickiness', 'stickiness_days=3&entity_id=%24pageview&entity_type=events'],
  ['path', 'path_start_key=1_%24pageview&date_from=-7d'],
  ['retention', 'selected_interval=2&period=Week'],
];
const CACHED = ['funnel', 'funnel/correlation', 'trends', 'path'];
const OTHER: Record<string, string> = {
  funnel: 'funnel_step=1&date_from=-30d',
  'funnel/correlation': 'funnel_step=2&funnel_correlation_person_converted=false',
  trends: 'entity_id=%24pageview&entity_type=events&entity_math=dau&date_from=-7d&interval=week',
  lifecycle: 'target_date=2025-05-02&lifecycle_type=new&date_from=-30d',
  stickiness: 'stickiness_days=4&entity_id=%24pageview&entity_type=events',
  path: 'path_start_key=1_%24pageview&date_from=-14d',
  retention: 'selected_interval=3&period=Week',
};

describe('people of an insight: every operation', () => {
  test.each(GETS)('GET %s answers the people envelope', async (name, query) => {
    const res = await api.get(`${PERSONS}/${name}/?${query}`);
    expect(res.status).toBe(200);
    const body = res.body as Body & Record<string, unknown>;
    expect(body.results).toHaveLength(1);
    expect(body.results[0]!.people.length).toBeGreaterThan(0);
    expect(body.results[0]!.count).toBe(body.results[0]!.people.length);
    expect(body.next).toBeNull();
    if (CACHED.includes(name)) {
      expect(Object.keys(body)).toEqual([
        'results',
        'next',
        'initial',
        'missing_persons',
        'is_cached',
        'last_refresh',
      ]);
      expectFields(body, { missing_persons: 0, is_cached: false });
      expect(body.initial).toBe(link(`${PERSONS}/${name}/`, query));
    } else {
      expect(Object.keys(body)).toEqual(['results', 'next']);
    }
    // the people are the project's persons, as the persons endpoints show them
    const person = body.results[0]!.people[0]!;
    const seeded = [...api.mock.app.store.state.persons.values()].find((p) => p.uuid === person.uuid)!;
    expect(seeded.team_id).toBe(1);
    expectFields(person, { id: seeded.id, properties: seeded.properties });
  });

  test.each(GETS)(
    'GET %s: the same query gives the same people, another query other people',
    async (name, query) => {
      const first = await api.get(`${PERSONS}/${name}/?${query}`);
      const again = await api.get(`${PERSONS}/${name}?${query}&limit=100`);
      expect(again.body.results).toEqual(first.body.results);
      expect(again.body.next).toEqual(first.body.next);
      const other = await api.get(`${PERSONS}/${name}/?${OTHER[name]}`);
      expect(uuids(other.body as Body)).not.toEqual(uuids(first.body as Body));
    },
  );

  test.each(GETS)('GET %s paginates by limit/offset, following next to the end', async (name, query) => {
    const everyone = uuids((await api.get(`${PERSONS}/${name}/?${query}`)).body as Body);
    const first = await api.get(`${PERSONS}/${name}/?${query}&limit=7`);
    expect(first.body.results[0].people).toHaveLength(7);
    expect(first.body.next).toBe(link(`${PERSONS}/${name}/`, `${query}&limit=7&offset=7`));
    const paged = await allPeople(`${PERSONS}/${name}/?${query}&limit=7`);
    expect(paged).toEqual(everyone);
    expect(new Set(paged).size).toBe(paged.length);
  });

  test.each(GETS)('GET %s: unknown project 404, no key 401', async (name, query) => {
    const missing = await api.get(`/api/projects/999/persons/${name}/?${query}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(error('invalid_request', 'not_found', 'Project not found.'));
    const anonymous = await api.get(`${PERSONS}/${name}/?${query}`, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual(
      error('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'),
    );
  });

  test('@current project works and projects have their own persons', async () => {
    const current = await api.get(`/api/projects/@current/persons/trends/?entity_id=x`);
    expect(current.body.results).toEqual((await api.get(`${PERSONS}/trends/?entity_id=x`)).body.results);
    const other = await api.get(`/api/projects/2/persons/trends/?entity_id=x`);
    const teams = (other.body as Body).results[0]!.people.map(
      (p) => [...api.mock.app.store.state.persons.values()].find((s) => s.uuid === p.uuid)!.team_id,
    );
    expect(new Set(teams)).toEqual(new Set([2]));
  });

  test('only GET (and POST for funnel, correlation, path) are served', async () => {
    const res = await api.call('POST', `${PERSONS}/trends/`, { body: {} });
    expect(res.status).toBe(405);
    expect(res.body).toEqual(error('invalid_request', 'method_not_allowed', 'Method "POST" not allowed.'));
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    for (const [name, allow] of [
      ['funnel', 'GET, POST, HEAD, OPTIONS'],
      ['funnel/correlation', 'GET, POST, HEAD, OPTIONS'],
      ['path', 'GET, POST, HEAD, OPTIONS'],
      ['trends', 'GET, HEAD, OPTIONS'],
      ['lifecycle', 'GET, HEAD, OPTIONS'],
      ['stickiness', 'GET, HEAD, OPTIONS'],
      ['retention', 'GET, HEAD, OPTIONS'],
    ]) {
      const other = await api.call('DELETE', `${PERSONS}/${name}/`);
      expect([name, other.status, other.headers.allow]).toEqual([name, 405, allow]);
    }
  });
});

describe('funnels', () => {
  const step = async (n: number, extra = '') =>
    allPeople(`${PERSONS}/funnel/?funnel_step=${n}&date_from=-7d${extra}&limit=20`);

  test('each step keeps some of the previous step, drop-offs are the difference', async () => {
    const [one, two, three] = [await step(1), await step(2), await step(3)];
    expect(one.length).toBeGreaterThan(two.length);
    expect(two.length).toBeGreaterThan(three.length);
    expect(two.every((u) => one.includes(u))).toBe(true);
    expect(three.every((u) => two.includes(u))).toBe(true);
    const droppedAtTwo = await step(-2);
    expect(droppedAtTwo.sort()).toEqual(one.filter((u) => !two.includes(u)).sort());
    expect(await step(-1)).toEqual([]);
  });

  test('no funnel_step means step 1', async () => {
    expect(await allPeople(`${PERSONS}/funnel/?date_from=-7d`)).toEqual(await step(1));
  });

  test('POST reads the filter from the body, merged over the query string', async () => {
    const get = await api.get(`${PERSONS}/funnel/?funnel_step=2&date_from=-7d`);
    const post = await api.post(`${PERSONS}/funnel/`, { funnel_step: 2, date_from: '-7d' });
    expect(post.status).toBe(200);
    expect(post.body.results).toEqual(get.body.results);
    const merged = await api.post(`${PERSONS}/funnel/?funnel_step=5&date_from=-7d`, { funnel_step: '2' });
    expect(merged.body.results).toEqual(get.body.results);
    const form = await api.post(`${PERSONS}/funnel/`, { funnel_step: '2', date_from: '-7d' }, { as: 'form' });
    expect(form.body.results).toEqual(get.body.results);
    const multipart = await api.post(
      `${PERSONS}/funnel/`,
      { funnel_step: '2', date_from: '-7d' },
      { as: 'multipart' },
    );
    expect(multipart.body.results).toEqual(get.body.results);
  });

  test('POST pagination: next carries limit/offset in the query, the body is sent again', async () => {
    const body = { funnel_step: 1, date_from: '-7d', limit: 100 };
    const everyone = uuids((await api.post(`${PERSONS}/funnel/`, body)).body as Body);
    const first = await api.post(`${PERSONS}/funnel/?limit=6`, body);
    expect(first.body.next).toBe(`${api.mock.url}${PERSONS}/funnel/?limit=6&offset=6`);
    expect(await allPeople(`${PERSONS}/funnel/?limit=6`, body)).toEqual(everyone);
    const bodyLimit = await api.post(`${PERSONS}/funnel/`, { ...body, limit: 4 });
    expect(bodyLimit.body.results[0].people).toHaveLength(4);
  });

  test('POST funnel/correlation and path answer like their GET', async () => {
    for (const name of ['funnel/correlation', 'path']) {
      const get = await api.get(`${PERSONS}/${name}/?date_from=-7d`);
      const post = await api.post(`${PERSONS}/${name}/`, { date_from: '-7d' });
      expect(post.status).toBe(200);
      expect(post.body.results).toEqual(get.body.results);
    }
  });

  test('reading people changes nothing', async () => {
    const before = api.mock.app.store.snapshot();
    await api.post(`${PERSONS}/funnel/`, { funnel_step: 2 });
    await api.get(`${PERSONS}/trends/?entity_id=x`);
    expectUnchanged(api, before);
  });
});

describe('filters and pagination edge cases', () => {
  test('properties narrows the people to the matching persons', async () => {
    const properties = JSON.stringify([{ key: 'email', value: 'alice@example.com', type: 'person' }]);
    const res = await api.get(`${PERSONS}/trends/?entity_id=x&properties=${encodeURIComponent(properties)}`);
    expect(uuids(res.body as Body)).toEqual([ALICE]);
    const group = JSON.stringify({
      type: 'OR',
      values: [
        { key: 'plan', value: ['scale', 'enterprise'], operator: 'exact', type: 'person' },
        { key: '$browser', value: 'fire', operator: 'icontains' },
      ],
    });
    const people = await allPeople(
      `${PERSONS}/lifecycle/?target_date=2025-05-01&lifecycle_type=new&limit=5&properties=${encodeURIComponent(group)}`,
    );
    const store = [...api.mock.app.store.state.persons.values()].filter((p) => p.team_id === 1);
    const expected = store.filter(
      (p) =>
        ['scale', 'enterprise'].includes(p.properties.plan as string) ||
        String(p.properties.$browser ?? '')
          .toLowerCase()
          .includes('fire'),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(store.length);
    expect(people.sort()).toEqual(expected.map((p) => p.uuid).sort());
  });

  test('a cohort filter gives the cohort members', async () => {
    const cohort = [...api.mock.app.store.state.cohorts.values()].find((c) => c.team_id === 1)!;
    const filter = JSON.stringify([{ key: 'id', value: cohort.id, type: 'cohort' }]);
    const people = await allPeople(`${PERSONS}/stickiness/?properties=${encodeURIComponent(filter)}`);
    const members = [...api.mock.app.store.cohortMembers(cohort)].map(
      (id) => api.mock.app.store.state.persons.get(id)!.uuid,
    );
    expect(members.length).toBeGreaterThan(0);
    expect(people.sort()).toEqual(members.sort());
  });

  test('the people follow the store: a deleted person is gone', async () => {
    const properties = encodeURIComponent(JSON.stringify([{ key: 'email', value: 'alice@example.com' }]));
    const alice = [...api.mock.app.store.state.persons.values()].find((p) => p.uuid === ALICE)!;
    api.mock.app.store.state.persons.delete(alice.id);
    const res = await api.get(`${PERSONS}/trends/?properties=${properties}`);
    expect(res.body.results[0].people).toEqual([]);
  });

  test('an offset past the end gives no people and no next; junk limit/offset fall back', async () => {
    const past = await api.get(`${PERSONS}/trends/?entity_id=x&offset=1000`);
    expect(past.body.results).toEqual([{ people: [], count: 0 }]);
    expect(past.body.next).toBeNull();
    const junk = await api.get(`${PERSONS}/trends/?entity_id=x&limit=abc&offset=-3`);
    expect(junk.body.results).toEqual((await api.get(`${PERSONS}/trends/?entity_id=x`)).body.results);
  });

  test('initial is the first page of the same query', async () => {
    const res = await api.get(`${PERSONS}/trends/?offset=5&limit=5&entity_id=x`);
    expect(res.body.initial).toBe(`${api.mock.url}${PERSONS}/trends/?entity_id=x&limit=5`);
    const first = await api.get(path(res.body.initial as string));
    expect(first.body.results[0].people).toHaveLength(5);
  });

  test('format=csv answers the page of people as CSV', async () => {
    const res = await request(api.mock.url)
      .get(`${PERSONS}/trends/?entity_id=x&format=csv&limit=3`)
      .set('Authorization', 'Bearer phx_mock_owner_personal_api_key');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id,uuid,name,distinct_ids,created_at,properties\./);
    const json = await api.get(`${PERSONS}/trends/?entity_id=x&format=json&limit=3`);
    expect(lines[1]!.split(',')[1]).toBe(json.body.results[0].people[0].uuid);
  });
});

describe('invalid parameters', () => {
  const DATE =
    'Date has wrong format. Use one of these formats instead: YYYY-MM-DD, ' +
    'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z], a relative date such as -7d, or all.';
  test.each([
    ['funnel', 'funnel_step=two', validation('invalid_input', 'A valid integer is required.', 'funnel_step')],
    [
      'funnel',
      'funnel_step=0',
      validation('invalid_input', "Funnel steps are 1-indexed, so step 0 doesn't exist.", 'funnel_step'),
    ],
    [
      'funnel',
      'funnel_window_days=0',
      validation('min_value', 'Ensure this value is greater than or equal to 1.', 'funnel_window_days'),
    ],
    ['funnel', 'date_from=yesterday', validation('invalid_input', DATE, 'date_from')],
    ['funnel', 'date_to=2025-13-45', validation('invalid_input', DATE, 'date_to')],
    [
      'funnel',
      'funnel_order_type=sideways',
      validation('invalid_choice', '"sideways" is not a valid choice.', 'funnel_order_type'),
    ],
    [
      'funnel/correlation',
      'funnel_correlation_person_converted=maybe',
      validation('invalid_input', 'Must be a valid boolean.', 'funnel_correlation_person_converted'),
    ],
    [
      'funnel/correlation',
      'funnel_correlation_person_entity=%5B1%5D',
      validation(
        'invalid_input',
        'Expected a dictionary of items but got type "list".',
        'funnel_correlation_person_entity',
      ),
    ],
    [
      'trends',
      'interval=fortnight',
      validation('invalid_choice', '"fortnight" is not a valid choice.', 'interval'),
    ],
    [
      'trends',
      'entity_math=mean',
      validation('invalid_choice', '"mean" is not a valid choice.', 'entity_math'),
    ],
    [
      'trends',
      'entity_type=things',
      validation('invalid_choice', '"things" is not a valid choice.', 'entity_type'),
    ],
    ['trends', 'events=%7Bnope', validation('invalid_input', 'Value must be valid JSON.', 'events')],
    ['trends', 'properties=%5Bnope', validation('invalid_input', 'Properties are unparsable!', 'properties')],
    [
      'trends',
      'properties=%5B%7B%22value%22%3A1%7D%5D',
      validation('required', 'This field is required.', 'properties__0__key'),
    ],
    [
      'trends',
      'properties=%5B%7B%22key%22%3A%22a%22%2C%22operator%22%3A%22like%22%7D%5D',
      validation('invalid_choice', '"like" is not a valid choice.', 'properties__0__operator'),
    ],
    [
      'trends',
      'properties=42',
      validation(
        'invalid_input',
        'Properties have to be a list of objects or a property group.',
        'properties',
      ),
    ],
    ['trends', 'format=xml', validation('invalid_choice', '"xml" is not a valid choice.', 'format')],
    ['lifecycle', 'lifecycle_type=new', validation('required', 'This field is required.', 'target_date')],
    [
      'lifecycle',
      'target_date=2025-05-01',
      validation('required', 'This field is required.', 'lifecycle_type'),
    ],
    [
      'lifecycle',
      'target_date=2025-05-01&lifecycle_type=zombie',
      validation('invalid_choice', '"zombie" is not a valid choice.', 'lifecycle_type'),
    ],
    [
      'stickiness',
      'stickiness_days=0',
      validation('min_value', 'Ensure this value is greater than or equal to 1.', 'stickiness_days'),
    ],
    ['path', 'step_limit=1.5', validation('invalid_input', 'A valid integer is required.', 'step_limit')],
    [
      'path',
      'include_event_types=%22%24pageview%22',
      validation('invalid_input', 'Expected a list of items but got type "str".', 'include_event_types'),
    ],
    [
      'retention',
      'selected_interval=-1',
      validation('min_value', 'Ensure this value is greater than or equal to 0.', 'selected_interval'),
    ],
    ['retention', 'period=Year', validation('invalid_choice', '"Year" is not a valid choice.', 'period')],
  ])('GET %s?%s → 400', async (name, query, expected) => {
    const res = await api.get(`${PERSONS}/${name}/?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
  });

  test.each([
    [{ funnel_step: 'x' }, validation('invalid_input', 'A valid integer is required.', 'funnel_step')],
    [{ funnel_step: 1.5 }, validation('invalid_input', 'A valid integer is required.', 'funnel_step')],
    [
      { events: { id: 'x' } },
      validation('invalid_input', 'Expected a list of items but got type "dict".', 'events'),
    ],
    [
      { properties: { type: 'AND', values: 'x' } },
      validation('invalid_input', 'Expected a list of items but got type "str".', 'properties__values'),
    ],
    [
      { properties: { type: 'OR', values: 7 } },
      validation('invalid_input', 'Expected a list of items but got type "int".', 'properties__values'),
    ],
    [
      { funnel_custom_steps: true },
      validation('invalid_input', 'Expected a list of items but got type "bool".', 'funnel_custom_steps'),
    ],
    [[1, 2], validation('invalid_input', 'Invalid data. Expected a dictionary, but got list.')],
  ])('POST funnel %j → 400 and nothing changes', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${PERSONS}/funnel/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });
});

describe('accepted parameter values', () => {
  test.each([
    ['funnel', 'funnel_step=-2'],
    ['funnel', 'funnel_step=%20-2%20'],
    ['funnel', 'date_from=all&date_to=2025-05-01'],
    ['funnel', 'date_from=-7d&date_to=-1dEnd'],
    ['funnel', 'date_from=mStart&date_to=2025-05-01T10:00'],
    ['funnel', 'date_from=2025-05-01T10:00:00.123456Z&date_to=2025-05-02%2010:00:00%2B02:00'],
    ['funnel', 'date_from=-3h&date_to=2025-05-02T10:00:00-0500'],
    ['funnel', 'funnel_window_days=1&funnel_window_interval=2&funnel_window_interval_unit=week'],
    ['funnel', 'date_from='],
    ['funnel/correlation', 'funnel_correlation_person_converted=TRUE'],
    ['funnel/correlation', 'funnel_correlation_person_converted=1'],
    ['funnel/correlation', 'funnel_correlation_person_converted=yes'],
    ['funnel/correlation', 'funnel_correlation_person_converted=on'],
    ['funnel/correlation', 'funnel_correlation_person_converted=t'],
    ['funnel/correlation', 'funnel_correlation_person_converted=y'],
    ['funnel/correlation', 'funnel_correlation_person_converted=False'],
    ['funnel/correlation', 'funnel_correlation_person_converted=0'],
    ['funnel/correlation', 'funnel_correlation_person_converted=no'],
    ['funnel/correlation', 'funnel_correlation_person_converted=off'],
    ['funnel/correlation', 'funnel_correlation_person_converted=f'],
    ['funnel/correlation', 'funnel_correlation_person_converted=n'],
    ['funnel/correlation', 'funnel_correlation_person_entity=%7B%22id%22%3A%22x%22%7D'],
    ['trends', 'events=%5B%7B%22id%22%3A%22%24pageview%22%7D%5D&breakdown=%5B1%2C2%5D'],
    ['retention', 'selected_interval=0&total_intervals=1'],
    ['path', 'path_start_key=&step_limit=1'],
    ['stickiness', 'stickiness_days=1'],
    ['trends', 'format=json'],
  ])('GET %s?%s → 200', async (name, query) => {
    const res = await api.get(`${PERSONS}/${name}/?${query}`);
    expect(res.status).toBe(200);
  });

  test('POST bodies may give strings as numbers or booleans, and JSON as values', async () => {
    const ok = await api.post(`${PERSONS}/path/`, {
      path_start_key: 7,
      path_end_key: true,
      include_event_types: ['$pageview'],
    });
    expect(ok.status).toBe(200);
    const bad = await api.post(`${PERSONS}/path/`, { path_start_key: { a: 1 } });
    expect(bad.body).toEqual(validation('invalid_input', 'Not a valid string.', 'path_start_key'));
    const list = await api.post(`${PERSONS}/funnel/`, { funnel_custom_steps: [1, 2] });
    expect(list.status).toBe(200);
  });

  test('the filter, not its spelling, chooses the people', async () => {
    // the same filter written differently gives the same people
    const a = await api.get(
      `${PERSONS}/trends/?events=${encodeURIComponent('[{"id":"$pageview","type":"events"}]')}`,
    );
    const b = await api.get(
      `${PERSONS}/trends/?events=${encodeURIComponent('[{"type":"events","id":"$pageview"}]')}`,
    );
    expect(uuids(a.body)).toEqual(uuids(b.body));
    expect(uuids(a.body).length).toBeGreaterThan(0);
  });

  test('funnel drop-offs: nobody drops off at step 1; step -k is step k-1 minus step k', async () => {
    expect(uuids((await api.get(`${PERSONS}/funnel/?funnel_step=-1`)).body)).toEqual([]);
    const step1 = uuids((await api.get(`${PERSONS}/funnel/?funnel_step=1`)).body);
    const step2 = uuids((await api.get(`${PERSONS}/funnel/?funnel_step=2`)).body);
    const drop2 = uuids((await api.get(`${PERSONS}/funnel/?funnel_step=-2`)).body);
    expect(step2.length).toBeGreaterThan(0);
    expect(drop2.length).toBeGreaterThan(0);
    expect([...step2, ...drop2]).toEqual(step1);
  });

  test('POST pagination: limit and offset from the body when the query has none', async () => {
    const first = await api.post(`${PERSONS}/funnel/`, { limit: 2, offset: '1' });
    const all = uuids((await api.get(`${PERSONS}/funnel/`)).body);
    expect(uuids(first.body)).toEqual(all.slice(1, 3));
    const zero = await api.post(`${PERSONS}/funnel/`, { limit: 0 });
    expect(uuids(zero.body)).toEqual(all.slice(0, 100));
    const junk = await api.post(`${PERSONS}/funnel/`, { limit: 'x', offset: -1 });
    expect(uuids(junk.body)).toEqual(all.slice(0, 100));
  });
});
