import type { Person } from '../src/store/types';
import {
  collectPages,
  error,
  expectUnchanged,
  NOT_FOUND,
  USERS,
  useMock,
  validation,
  expectFields,
} from './support/api';

const api = useMock();
const PERSONS = '/api/projects/1/persons';
const ALICE = '0190a1b2-5001-7000-8000-000000000001';
const BOB = '0190a1b2-5002-7000-8000-000000000002';
const VISITOR = '0190a1b2-5003-7000-8000-000000000003';

type PersonBody = {
  id: number;
  uuid: string;
  name: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
};

const state = () => api.mock.app.store.state;
const byUuid = (uuid: string): Person => [...state().persons.values()].find((p) => p.uuid === uuid)!;
/** a cohort's calculated members */
const membersOf = (id: number): number[] => [...api.mock.app.store.cohortMembers(state().cohorts.get(id)!)];
const project1 = (): Person[] => [...state().persons.values()].filter((p) => p.team_id === 1);
const uuids = (res: { body: { results: PersonBody[] } }): string[] => res.body.results.map((p) => p.uuid);
const list = (query: Record<string, string>) =>
  api.get(`${PERSONS}/?${new URLSearchParams(query).toString()}`);
const filtered = (filters: unknown) => list({ properties: JSON.stringify(filters), limit: '1000' });

describe('persons list', () => {
  test('lists the project’s persons, newest first, in the documented shape', async () => {
    const res = await api.get(`${PERSONS}/`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(60);
    expect(res.body.next).toBeNull();
    expect(res.body.previous).toBeNull();
    const created = res.body.results.map((p: { created_at: string }) => p.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(res.body.results.find((p: PersonBody) => p.uuid === ALICE)).toEqual({
      id: byUuid(ALICE).id,
      name: 'alice@example.com',
      distinct_ids: ['user-alice', 'anon-7f3a9c2e'],
      properties: expect.objectContaining({ email: 'alice@example.com', plan: 'scale' }),
      created_at: byUuid(ALICE).created_at,
      uuid: ALICE,
    });
    const visitor = res.body.results.find((p: PersonBody) => p.uuid === VISITOR);
    expect(visitor.name).toBe('anon-only-visitor');
  });

  test('pagination is limit/offset with absolute links, followed to the end', async () => {
    const first = await api.get(`${PERSONS}/?limit=7`);
    expect(first.body.results).toHaveLength(7);
    expect(first.body.count).toBe(60);
    expect(first.body.next).toBe(`${api.mock.url}${PERSONS}/?limit=7&offset=7`);
    const all = (await collectPages(api, `${PERSONS}/?limit=7`)) as PersonBody[];
    expect(all).toHaveLength(60);
    expect(new Set(all.map((p) => p.id)).size).toBe(60);
    expect(all.map((p) => p.uuid).sort()).toEqual(
      project1()
        .map((p) => p.uuid)
        .sort(),
    );
    const past = await api.get(`${PERSONS}/?offset=500`);
    expect(past.body).toEqual({
      count: 60,
      next: null,
      previous: `${api.mock.url}${PERSONS}/?limit=100&offset=400`,
      results: [],
    });
  });

  test('@current and paths without a trailing slash work; an unknown project is 404', async () => {
    expect((await api.get('/api/projects/@current/persons')).body.count).toBe(60);
    expect((await api.get(`${PERSONS}/${ALICE}`)).body.uuid).toBe(ALICE);
    const res = await api.get('/api/projects/999/persons/');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(error('invalid_request', 'not_found', 'Project not found.'));
  });

  test('each project lists only its own persons', async () => {
    const res = await api.get('/api/projects/2/persons/?limit=1000');
    expect(res.body.count).toBe(60);
    const ids = new Set(project1().map((p) => p.id));
    expect(res.body.results.some((p: PersonBody) => ids.has(p.id))).toBe(false);
  });

  test('distinct_id filters exactly, by any of the person’s ids', async () => {
    expect(uuids(await list({ distinct_id: 'anon-7f3a9c2e' }))).toEqual([ALICE]);
    expect(uuids(await list({ distinct_id: 'user-bob' }))).toEqual([BOB]);
    expect((await list({ distinct_id: 'user-' })).body.count).toBe(0);
  });

  test('email filters on the email property, exactly', async () => {
    expect(uuids(await list({ email: 'bob@example.com' }))).toEqual([BOB]);
    expect((await list({ email: 'BOB@example.com' })).body.count).toBe(0);
  });

  test('search matches email, name and distinct ids, case-insensitively', async () => {
    expect(uuids(await list({ search: 'ALICE@EXAMPLE' }))).toEqual([ALICE]);
    expect(uuids(await list({ search: 'bob example' }))).toEqual([BOB]);
    expect(uuids(await list({ search: 'only-VISITOR' }))).toEqual([VISITOR]);
    const res = await list({ search: 'example.com', limit: '1000' });
    expect(uuids(res)).toEqual(expect.arrayContaining([ALICE, BOB]));
    expect(uuids(res)).not.toContain(VISITOR);
  });

  test('filters combine', async () => {
    expect(uuids(await list({ search: 'example', distinct_id: 'user-bob' }))).toEqual([BOB]);
    expect((await list({ email: 'bob@example.com', distinct_id: 'user-alice' })).body.count).toBe(0);
  });

  describe('properties filter', () => {
    /** the expected persons, read from the store: never empty, so a filter matching nothing fails */
    const withPlan = (test: (plan: unknown) => boolean) => {
      const expected = project1()
        .filter((p) => test(p.properties.plan))
        .map((p) => p.uuid)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      return expected;
    };
    const sorted = (res: { body: { results: PersonBody[] } }) => uuids(res).sort();

    test('exact, with one value or a list (any of)', async () => {
      expect(
        sorted(await filtered([{ key: 'plan', value: 'scale', operator: 'exact', type: 'person' }])),
      ).toEqual(withPlan((p) => p === 'scale'));
      const many = await filtered([{ key: 'plan', value: ['scale', 'enterprise'], type: 'person' }]);
      expect(sorted(many)).toEqual(withPlan((p) => p === 'scale' || p === 'enterprise'));
      expect(many.body.count).toBeGreaterThan(1);
    });

    test('in and not_in: any of a list, and its complement (persons without the property included)', async () => {
      const inList = await filtered([
        { key: 'plan', value: ['scale', 'free'], operator: 'in', type: 'person' },
      ]);
      const expected = withPlan((p) => p === 'scale' || p === 'free');
      expect(expected.length).toBeGreaterThan(1);
      expect(sorted(inList)).toEqual(expected);
      const notIn = await filtered([
        { key: 'plan', value: ['scale', 'free'], operator: 'not_in', type: 'person' },
      ]);
      const rest = withPlan((p) => p !== 'scale' && p !== 'free');
      expect(rest.length).toBeGreaterThan(1);
      expect(sorted(notIn)).toEqual(rest);
      expect(uuids(notIn)).toContain(VISITOR);
      expect(inList.body.count + notIn.body.count).toBe(60);
      // a cohort filter with not_in keeps everyone outside the cohort
      const members = membersOf(2);
      expect(members.length).toBeGreaterThan(0);
      const outside = await filtered([{ key: 'id', value: 2, operator: 'not_in', type: 'cohort' }]);
      expect(outside.body.count).toBe(60 - project1().filter((p) => members.includes(p.id)).length);
      expect(uuids(outside)).not.toContain(BOB);
    });

    test('is_date_exact, is_date_after and is_date_before compare dates', async () => {
      await api.patch(`${PERSONS}/${ALICE}/`, { properties: { signed_up: '2024-03-01T10:00:00Z' } });
      await api.patch(`${PERSONS}/${BOB}/`, { properties: { signed_up: '2024-05-15' } });
      await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { signed_up: 'not a date' } });
      const date = async (operator: string, value: string) =>
        sorted(await filtered([{ key: 'signed_up', value, operator, type: 'person' }]));
      expect(await date('is_date_exact', '2024-03-01')).toEqual([ALICE]);
      expect(await date('is_date_exact', '2024-05-15T00:00:00Z')).toEqual([BOB]);
      expect(await date('is_date_exact', '2024-03-02')).toEqual([]);
      expect(await date('is_date_after', '2024-04-01')).toEqual([BOB]);
      expect(await date('is_date_after', '2024-01-01')).toEqual([ALICE, BOB].sort());
      expect(await date('is_date_after', '2024-05-15')).toEqual([]);
      expect(await date('is_date_before', '2024-04-01')).toEqual([ALICE]);
      expect(await date('is_date_before', '2024-03-01T10:00:00Z')).toEqual([]);
      expect(await date('is_date_before', '2025-01-01')).toEqual([ALICE, BOB].sort());
    });

    test('is_not keeps persons without the property', async () => {
      const res = await filtered([{ key: 'plan', value: 'free', operator: 'is_not', type: 'person' }]);
      expect(sorted(res)).toEqual(withPlan((p) => p !== 'free'));
      expect(uuids(res)).toContain(VISITOR);
    });

    test('icontains and not_icontains', async () => {
      const res = await filtered([
        { key: 'email', value: 'EXAMPLE.COM', operator: 'icontains', type: 'person' },
      ]);
      expect(sorted(res)).toEqual([ALICE, BOB].sort());
      const not = await filtered([
        { key: 'email', value: 'example.com', operator: 'not_icontains', type: 'person' },
      ]);
      expect(not.body.count).toBe(58);
      expect(uuids(not)).toContain(VISITOR);
    });

    test('regex and not_regex', async () => {
      const res = await filtered([
        { key: 'plan', value: '^(scale|startup)$', operator: 'regex', type: 'person' },
      ]);
      expect(sorted(res)).toEqual(withPlan((p) => p === 'scale' || p === 'startup'));
      const not = await filtered([{ key: 'plan', value: '^s', operator: 'not_regex', type: 'person' }]);
      expect(sorted(not)).toEqual(withPlan((p) => typeof p !== 'string' || !p.startsWith('s')));
    });

    test('gt, gte, lt, lte compare numbers', async () => {
      await api.patch(`${PERSONS}/${ALICE}/`, { properties: { age: 30 } });
      await api.patch(`${PERSONS}/${BOB}/`, { properties: { age: '42' } });
      await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { age: 18 } });
      const age = async (operator: string, value: number) =>
        sorted(await filtered([{ key: 'age', value, operator, type: 'person' }]));
      expect(await age('gt', 30)).toEqual([BOB]);
      expect(await age('gte', 30)).toEqual([ALICE, BOB].sort());
      expect(await age('lt', 30)).toEqual([VISITOR]);
      expect(await age('lte', 30)).toEqual([ALICE, VISITOR].sort());
    });

    test('is_set and is_not_set', async () => {
      const set = await filtered([{ key: 'email', value: 'is_set', operator: 'is_set', type: 'person' }]);
      const unset = await filtered([{ key: 'email', operator: 'is_not_set', type: 'person' }]);
      const withEmail = project1().filter((p) => p.properties.email !== undefined).length;
      expect(withEmail).toBeGreaterThan(0);
      expect(withEmail).toBeLessThan(60);
      expect(set.body.count).toBe(withEmail);
      expect(unset.body.count).toBe(60 - withEmail);
      expect(uuids(unset)).toContain(VISITOR);
    });

    test('a key no person has, even one every JS object inherits, is missing', async () => {
      for (const key of ['toString', 'constructor']) {
        expect((await filtered([{ key, operator: 'is_set', type: 'person' }])).body.count).toBe(0);
        expect((await filtered([{ key, operator: 'is_not_set', type: 'person' }])).body.count).toBe(60);
        expect((await filtered([{ key, value: 'x', operator: 'is_not', type: 'person' }])).body.count).toBe(
          60,
        );
      }
    });

    test('all filters of the list must match; the grouped AND/OR form is accepted too', async () => {
      const both = await filtered([
        { key: 'company', value: 'Example Corp', type: 'person' },
        { key: 'plan', value: 'free', type: 'person' },
      ]);
      expect(uuids(both)).toEqual([BOB]);
      const either = await filtered({
        type: 'OR',
        values: [
          { key: 'email', value: 'alice@example.com', type: 'person' },
          { key: 'email', value: 'bob@example.com', type: 'person' },
        ],
      });
      expect(sorted(either)).toEqual([ALICE, BOB].sort());
    });

    test('a cohort filter keeps the cohort’s members', async () => {
      const res = await filtered([{ key: 'id', value: 2, type: 'cohort' }]);
      expect(res.body.count).toBeGreaterThan(0);
      expect(sorted(res)).toEqual(
        project1()
          .filter((p) => membersOf(2).includes(p.id))
          .map((p) => p.uuid)
          .sort(),
      );
      expect(uuids(res)).toContain(BOB);
    });

    test.each([
      ['not json', validation('invalid_input', 'Properties are unparsable!', 'properties')],
      [
        '{"key": "plan"}',
        validation(
          'invalid_input',
          'Properties have to be a list of objects or a property group.',
          'properties',
        ),
      ],
      [
        '"plan"',
        validation(
          'invalid_input',
          'Properties have to be a list of objects or a property group.',
          'properties',
        ),
      ],
      [
        '[1]',
        validation(
          'invalid_input',
          'Properties have to be a list of objects or a property group.',
          'properties__0',
        ),
      ],
      ['[{"value": "x"}]', validation('required', 'This field is required.', 'properties__0__key')],
      [
        '[{"key": "plan", "value": "x", "operator": "near"}]',
        validation('invalid_choice', '"near" is not a valid choice.', 'properties__0__operator'),
      ],
      [
        '[{"key": "plan", "value": "x", "type": "planet"}]',
        validation('invalid_choice', '"planet" is not a valid choice.', 'properties__0__type'),
      ],
      [
        '{"type": "OR", "values": [{"key": "plan", "value": "(", "operator": "regex"}]}',
        validation('invalid_input', 'Invalid regular expression: (', 'properties__values__0__value'),
      ],
    ])('properties=%s is 400', async (properties, expected) => {
      const res = await list({ properties });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
    });
  });

  test('POST is 405 with PostHog’s detail, and creates nothing', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${PERSONS}/`, { properties: { email: 'new@example.com' } });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.body).toEqual(
      error(
        'invalid_request',
        'method_not_allowed',
        'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.',
      ),
    );
    expectUnchanged(api, before);
  });
});

describe('one person', () => {
  test('retrieve by integer id or uuid', async () => {
    const id = byUuid(BOB).id;
    const byId = await api.get(`${PERSONS}/${id}/`);
    expect(byId.status).toBe(200);
    expectFields(byId.body, { id, uuid: BOB, name: 'bob@example.com', distinct_ids: ['user-bob'] });
    expect((await api.get(`${PERSONS}/${BOB.toUpperCase()}/`)).body).toEqual(byId.body);
  });

  test('unknown, malformed and other projects’ person ids are 404', async () => {
    const other = [...state().persons.values()].find((p) => p.team_id === 2)!;
    for (const id of [
      '99999',
      '0190a1b2-5999-7000-8000-000000000009',
      'user-alice',
      String(other.id),
      other.uuid,
    ]) {
      expect((await api.get(`${PERSONS}/${id}/`)).body).toEqual(NOT_FOUND);
      expect((await api.patch(`${PERSONS}/${id}/`, { properties: { a: 1 } })).body).toEqual(NOT_FOUND);
      expect((await api.delete(`${PERSONS}/${id}/`)).status).toBe(404);
      expect((await api.post(`${PERSONS}/${id}/split/`, {})).status).toBe(404);
      expect((await api.get(`${PERSONS}/${id}/activity/`)).status).toBe(404);
      expect((await api.get(`${PERSONS}/${id}/properties_timeline/`)).status).toBe(404);
    }
    expect((await api.get(`/api/projects/2/persons/${other.id}/`)).body.uuid).toBe(other.uuid);
  });

  test('PUT sets the given properties like $set, keeps the others, and answers 200 with the person', async () => {
    const others = { ...byUuid(ALICE).properties };
    expect(Object.keys(others).length).toBeGreaterThan(2);
    const res = await api.put(`${PERSONS}/${ALICE}/`, {
      properties: { plan: 'enterprise', seats: 12 },
      name: 'ignored',
      distinct_ids: ['ignored'],
    });
    expect(res.status).toBe(200);
    expect(res.body.properties).toEqual({ ...others, plan: 'enterprise', seats: 12 });
    expect(res.body.distinct_ids).toEqual(['user-alice', 'anon-7f3a9c2e']);
    const back = await api.get(`${PERSONS}/${ALICE}/`);
    expect(back.body).toEqual(res.body);
  });

  test('a changed display property changes the name', async () => {
    const res = await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { email: 'visitor@example.com' } });
    expect(res.body.name).toBe('visitor@example.com');
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'properties')],
    [{ properties: null }, validation('null', 'This field may not be null.', 'properties')],
    [
      { properties: 'plan=free' },
      validation('invalid_input', 'Expected a dictionary of items but got type "str".', 'properties'),
    ],
    [
      { properties: ['plan'] },
      validation('invalid_input', 'Expected a dictionary of items but got type "list".', 'properties'),
    ],
  ])('PUT rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.put(`${PERSONS}/${ALICE}/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('PATCH without properties is 400 required, as PostHog answers it (PUT too), and changes nothing', async () => {
    const before = api.mock.app.store.snapshot();
    for (const send of [api.patch, api.put]) {
      const res = await send(`${PERSONS}/${ALICE}/`, { name: 'ignored' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(validation('required', 'This field is required.', 'properties'));
    }
    expectUnchanged(api, before);
    expect((await api.patch(`${PERSONS}/${ALICE}/`, { properties: {} })).body.uuid).toBe(ALICE);
  });

  test('PATCH accepts form and multipart bodies', async () => {
    const form = await api.patch(
      `${PERSONS}/${ALICE}/`,
      { properties: JSON.stringify({ plan: 'form-plan' }) },
      { as: 'form' },
    );
    expect(form.status).toBe(200);
    expect(form.body.properties.plan).toBe('form-plan');
    const multipart = await api.patch(
      `${PERSONS}/${BOB}/`,
      { properties: { plan: 'multipart-plan' } },
      { as: 'multipart' },
    );
    expect(multipart.status).toBe(200);
    expect((await api.get(`${PERSONS}/${BOB}/`)).body.properties.plan).toBe('multipart-plan');
    const bad = await api.patch(`${PERSONS}/${BOB}/`, { properties: 'nope' }, { as: 'form' });
    expect(bad.body).toEqual(
      validation('invalid_input', 'Expected a dictionary of items but got type "str".', 'properties'),
    );
  });

  test('updates are recorded as activity, one change per changed key', async () => {
    await api.patch(`${PERSONS}/${ALICE}/`, {
      properties: { plan: 'free', seats: 3, email: 'alice@example.com' },
    });
    const res = await api.get(`${PERSONS}/${ALICE}/activity/`);
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBe(1);
    const [entry] = res.body.results;
    expectFields(entry, {
      activity: 'updated',
      scope: 'Person',
      item_id: String(byUuid(ALICE).id),
      user: expect.objectContaining({ uuid: USERS.owner }),
      detail: {
        name: ALICE,
        changes: expect.any(Array), // compared exactly below
        merge: null,
        trigger: null,
        short_id: null,
        type: null,
      },
    });
    expect(entry.detail.changes).toEqual([
      { type: 'Person', action: 'changed', field: 'plan', before: 'scale', after: 'free' },
      { type: 'Person', action: 'created', field: 'seats', before: null, after: 3 },
    ]);
  });

  test('DELETE answers 204, accepts delete_events, and the person is gone everywhere', async () => {
    const alice = byUuid(ALICE);
    const res = await api.delete(`${PERSONS}/${alice.id}/?delete_events=true`);
    expect(res.status).toBe(204);
    expect((await api.get(`${PERSONS}/${ALICE}/`)).body).toEqual(NOT_FOUND);
    expect((await api.get(`${PERSONS}/`)).body.count).toBe(59);
    expect((await list({ distinct_id: 'user-alice' })).body.count).toBe(0);
    // cohorts keep their calculated members; a deleted one is no longer counted
    expect(membersOf(1)).toContain(alice.id);
    const cohorts = await api.get(`${PERSONS}/cohorts/?person_id=${BOB}`);
    expect(cohorts.status).toBe(200);
    expect((await api.delete(`${PERSONS}/${alice.id}/`)).body).toEqual(NOT_FOUND);
    const activity = await api.get(`${PERSONS}/activity/`);
    expectFields(activity.body.results[0], {
      activity: 'deleted',
      item_id: String(alice.id),
      detail: { name: ALICE, changes: null, merge: null, trigger: null, short_id: null, type: null },
    });
  });
});

describe('person actions', () => {
  const url = (uuid: string, action: string) => `${PERSONS}/${uuid}/${action}/`;

  test('update_property reads key and value from the query, as the docs put them', async () => {
    const res = await api.post(`${url(ALICE, 'update_property')}?key=plan&value=startup`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect((await api.get(`${PERSONS}/${ALICE}/`)).body.properties.plan).toBe('startup');
  });

  test('update_property reads the body too (any JSON value); the body wins over the query', async () => {
    await api.post(`${url(BOB, 'update_property')}?key=plan&value=query`, {
      key: 'prefs',
      value: { dark: true },
    });
    const bob = (await api.get(`${PERSONS}/${BOB}/`)).body;
    expect(bob.properties.prefs).toEqual({ dark: true });
    expect(bob.properties.plan).toBe('free');
    await api.post(`${url(BOB, 'update_property')}?key=plan`, { value: 'body' });
    expect((await api.get(`${PERSONS}/${BOB}/`)).body.properties.plan).toBe('body');
    const form = await api.post(url(BOB, 'update_property'), { key: 'via', value: 'form' }, { as: 'form' });
    expect(form.status).toBe(200);
    expect((await api.get(`${PERSONS}/${BOB}/`)).body.properties.via).toBe('form');
  });

  test.each([
    ['', {}, validation('required', 'This field is required.', 'value')],
    ['?key=plan', {}, validation('required', 'This field is required.', 'value')],
    ['?value=x', {}, validation('required', 'This field is required.', 'key')],
    ['', { key: 'plan', value: null }, validation('required', 'This field is required.', 'value')],
    ['', { key: 5, value: 'x' }, validation('invalid_input', 'Not a valid string.', 'key')],
    ['?key=&value=x', {}, validation('blank', 'This field may not be blank.', 'key')],
  ])('update_property%s with %j is 400', async (query, body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${url(ALICE, 'update_property')}${query}`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('delete_property removes one key, from the query or the body', async () => {
    const res = await api.post(`${url(ALICE, 'delete_property')}?$unset=plan`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    await api.post(url(ALICE, 'delete_property'), { $unset: 'company' });
    const alice = (await api.get(`${PERSONS}/${ALICE}/`)).body;
    expect(alice.properties).not.toHaveProperty('plan');
    expect(alice.properties).not.toHaveProperty('company');
    expect(alice.properties.email).toBe('alice@example.com');
    const activity = await api.get(`${PERSONS}/${ALICE}/activity/`);
    expect(activity.body.results.map((e: { activity: string }) => e.activity)).toEqual([
      'delete_property',
      'delete_property',
    ]);
    expect(activity.body.results[1].detail.changes).toEqual([
      { type: 'Person', action: 'deleted', field: 'plan', before: 'scale', after: null },
    ]);
  });

  test('delete_property of a key the person lacks succeeds and changes no property', async () => {
    const res = await api.post(`${url(ALICE, 'delete_property')}?$unset=nothing-here`);
    expect(res.body).toEqual({ success: true });
    expect(byUuid(ALICE).timeline).toHaveLength(1);
  });

  test.each([
    ['', {}, validation('required', 'This field is required.', '$unset')],
    ['', { $unset: '' }, validation('blank', 'This field may not be blank.', '$unset')],
    ['', { $unset: ['a'] }, validation('invalid_input', 'Not a valid string.', '$unset')],
  ])('delete_property%s with %j is 400', async (query, body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${url(ALICE, 'delete_property')}${query}`, body);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('split keeps the main distinct id; every other id becomes a new person', async () => {
    const res = await api.post(url(ALICE, 'split'), { main_distinct_id: 'anon-7f3a9c2e' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const alice = (await api.get(`${PERSONS}/${ALICE}/`)).body;
    expect(alice.distinct_ids).toEqual(['anon-7f3a9c2e']);
    expect(alice.properties.email).toBe('alice@example.com');
    const split = await list({ distinct_id: 'user-alice' });
    expect(split.body.count).toBe(1);
    const newcomer = split.body.results[0];
    expect([newcomer.distinct_ids, newcomer.properties, newcomer.name]).toEqual([
      ['user-alice'],
      {},
      'user-alice',
    ]);
    expect(newcomer.uuid).not.toBe(ALICE);
    expect((await api.get(`${PERSONS}/${newcomer.id}/`)).body).toEqual(newcomer);
    expect((await api.get(`${PERSONS}/${newcomer.uuid}/`)).body.id).toBe(newcomer.id);
    expect((await api.get(`${PERSONS}/`)).body.count).toBe(61);
    const [entry] = (await api.get(`${PERSONS}/${ALICE}/activity/`)).body.results;
    expect([entry.activity, entry.detail.name]).toEqual(['split_person', ALICE]);
    expect(entry.detail.changes).toEqual([
      {
        type: 'Person',
        action: 'split',
        field: null,
        before: null,
        after: { distinct_ids: ['user-alice', 'anon-7f3a9c2e'] },
      },
    ]);
  });

  test('split without a main distinct id keeps the first and, as PostHog does, resets the properties', async () => {
    // the test means something only if Alice has properties to lose
    expect(Object.keys(byUuid(ALICE).properties).length).toBeGreaterThan(0);
    const res = await api.post(url(ALICE, 'split'), {});
    expect(res.body).toEqual({ success: true });
    expect(byUuid(ALICE).properties).toEqual({});
    const alice = (await api.get(`${PERSONS}/${ALICE}/`)).body;
    expect(alice.distinct_ids).toEqual(['user-alice']);
    expect(alice.properties).toEqual({});
    expect(alice.name).toBe('user-alice');
    const others = await list({ distinct_id: 'anon-7f3a9c2e' });
    expect(others.body.count).toBe(1);
    expect(others.body.results[0].uuid).not.toBe(ALICE);
    expect(others.body.results[0].properties).toEqual({});
  });

  test('split of a person with one distinct id creates nobody', async () => {
    await api.post(url(BOB, 'split'), { main_distinct_id: 'user-bob' });
    expect((await api.get(`${PERSONS}/`)).body.count).toBe(60);
  });

  test.each([
    [
      { main_distinct_id: 'user-bob' },
      validation('invalid_input', '"user-bob" is not a distinct id of this person.', 'main_distinct_id'),
    ],
    [{ main_distinct_id: 7 }, validation('invalid_input', 'Not a valid string.', 'main_distinct_id')],
  ])('split rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(url(ALICE, 'split'), body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });
});

describe('activity', () => {
  test('persons/activity lists every person’s changes in the project, newest first, paged', async () => {
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { step: 1 } });
    await api.patch(`${PERSONS}/${BOB}/`, { properties: { step: 2 } });
    await api.post(`${PERSONS}/${VISITOR}/update_property/?key=step&value=3`);
    await api.patch('/api/projects/2/persons/61/', { properties: { step: 4 } });
    const res = await api.get(`${PERSONS}/activity/`);
    expect(res.body.total_count).toBe(3);
    expect(res.body.results.map((e: { detail: { name: string } }) => e.detail.name)).toEqual([
      VISITOR,
      BOB,
      ALICE,
    ]);
    const page = await api.get(`${PERSONS}/activity/?limit=2&page=2`);
    expect(page.body.results).toHaveLength(1);
    expect(page.body.previous).toBe(`${api.mock.url}${PERSONS}/activity/?limit=2&page=1`);
    expect((await api.get(`${PERSONS}/${BOB}/activity/`)).body.total_count).toBe(1);
    expect(
      (await api.get(`${PERSONS}/${byUuid(VISITOR).id}/activity/`)).body.results[0].detail.changes,
    ).toEqual([{ type: 'Person', action: 'created', field: 'step', before: null, after: '3' }]);
  });

  test('a person without changes has an empty activity page', async () => {
    const res = await api.get(`${PERSONS}/${BOB}/activity/`);
    expect(res.body).toEqual({ results: [], next: null, previous: null, total_count: 0 });
  });
});

describe('properties timeline', () => {
  test('starts with the seeded state and grows with each change', async () => {
    const start = await api.get(`${PERSONS}/${ALICE}/properties_timeline/`);
    expect(start.status).toBe(200);
    expect(start.body.points).toHaveLength(1);
    expectFields(start.body.points[0], {
      timestamp: byUuid(ALICE).created_at,
      relevant_event_count: 1,
      properties: expect.objectContaining({ plan: 'scale' }),
    });
    expect(start.body.crucial_property_keys).toEqual([]);
    expect(start.body.effective_date_from).toBe(byUuid(ALICE).created_at);

    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { plan: 'free' } });
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { plan: 'free' } }); // no change: no point
    await api.post(`${PERSONS}/${ALICE}/delete_property/?$unset=company`);
    const res = await api.get(`${PERSONS}/${ALICE}/properties_timeline/`);
    expect(res.body.points).toHaveLength(3);
    expect(res.body.points[1].properties.plan).toBe('free');
    expect(res.body.points[1].properties.company).toBe('Example Corp');
    expect(res.body.points[2].properties).not.toHaveProperty('company');
    const times = res.body.points.map((p: { timestamp: string }) => p.timestamp);
    expect(times).toEqual([...times].sort());
    expect(res.body.effective_date_to >= times[2]).toBe(true);
  });
});

describe('property values', () => {
  const counts = (key: string) => {
    const m = new Map<string, number>();
    for (const p of project1()) {
      const v = p.properties[key];
      if (v !== undefined) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
    }
    return m;
  };

  test('counts each value of a person property, most common first', async () => {
    const res = await api.get(`${PERSONS}/values/?key=plan`);
    expect(res.status).toBe(200);
    const expected = counts('plan');
    expect(expected.size).toBeGreaterThan(1);
    expect(res.body).toHaveLength(expected.size);
    for (const { name, count } of res.body) expect(count).toBe(expected.get(name));
    const order = res.body.map((v: { count: number }) => v.count);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  test('value narrows to values containing it, case-insensitively', async () => {
    const res = await api.get(`${PERSONS}/values/?key=plan&value=SCA`);
    const scale = counts('plan').get('scale');
    expect(scale).toBeGreaterThan(0);
    expect(res.body).toEqual([{ name: 'scale', count: scale }]);
  });

  test('values follow changes and keep JSON types', async () => {
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { seats: 5 } });
    await api.patch(`${PERSONS}/${BOB}/`, { properties: { seats: 5 } });
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { seats: 2 } });
    const res = await api.get(`${PERSONS}/values?key=seats`);
    expect(res.body).toEqual([
      { name: 5, count: 2 },
      { name: 2, count: 1 },
    ]);
  });

  test('an unknown key has no values; without a key, 200 and no values, as PostHog answers', async () => {
    expect((await api.get(`${PERSONS}/values/?key=nothing`)).body).toEqual([]);
    for (const query of ['', '?key=', '?value=a']) {
      const res = await api.get(`${PERSONS}/values/${query}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
  });
});

describe('person cohorts', () => {
  test('lists the cohorts the person belongs to', async () => {
    const res = await api.get(`${PERSONS}/cohorts/?person_id=${byUuid(ALICE).id}`);
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    const cohort = state().cohorts.get(1)!;
    const members = membersOf(1);
    expect(members.length).toBeGreaterThan(1);
    expect(res.body.results[0]).toEqual({
      id: 1,
      name: 'Paying customers',
      description: 'Persons on a paid plan',
      groups: [],
      deleted: false,
      filters: cohort.filters,
      is_calculating: false,
      created_by: expect.objectContaining({ uuid: USERS.owner }),
      created_at: cohort.created_at,
      last_calculation: cohort.created_at,
      errors_calculating: 0,
      count: members.length,
      is_static: false,
    });
    expectFields(res.body.results[0].filters.properties.values[0].values[0], {
      key: 'plan',
      type: 'person',
    });
    // count is of the members the store still has (a person removed behind the API's back included)
    const [gone, kept] = members;
    state().persons.delete(gone!);
    const again = await api.get(`${PERSONS}/cohorts/?person_id=${kept}`);
    expect(again.body.results.find((c: { id: number }) => c.id === 1).count).toBe(members.length - 1);
    api.mock.app.store.reset();
    const bob = await api.get(`${PERSONS}/cohorts/?person_id=${BOB}`);
    expect(bob.body.results.map((c: { name: string }) => c.name)).toEqual(['Firefox users']);
    const visitor = await api.get(`${PERSONS}/cohorts/?person_id=${VISITOR}`);
    expect(visitor.body).toEqual({ results: [] });
  });

  test('person_id is required and must be a person of the project', async () => {
    expect((await api.get(`${PERSONS}/cohorts/`)).body).toEqual(
      validation('required', 'This field is required.', 'person_id'),
    );
    expect((await api.get(`${PERSONS}/cohorts/?person_id=99999`)).body).toEqual(NOT_FOUND);
    expect((await api.get(`${PERSONS}/cohorts/?person_id=nope`)).body).toEqual(NOT_FOUND);
  });
});

describe('display name', () => {
  const nameOf = async (uuid: string) => (await api.get(`${PERSONS}/${uuid}/`)).body.name as string;

  test('the first non-empty of the name properties, in PostHog’s order', async () => {
    const person = byUuid(VISITOR);
    expect(Object.keys(person.properties).filter((k) => /mail|name/i.test(k))).toEqual([]);
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { UserName: 'u-name', username: 'lower' } });
    expect(await nameOf(VISITOR)).toBe('lower');
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { Name: 'Capital Name' } });
    expect(await nameOf(VISITOR)).toBe('Capital Name');
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { $email: 'dollar@example.com', email: '   ' } });
    expect(await nameOf(VISITOR)).toBe('dollar@example.com');
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { Email: 7 } });
    expect(await nameOf(VISITOR)).toBe('7');
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { email: 'first@example.com' } });
    expect(await nameOf(VISITOR)).toBe('first@example.com');
  });

  test('a project’s person_display_name_properties replace the default list', async () => {
    await api.patch(`/api/organizations/@current/projects/1/`, { person_display_name_properties: ['plan'] });
    expect(await nameOf(ALICE)).toBe('scale');
    expect(await nameOf(VISITOR)).toBe('anon-only-visitor');
  });

  test('without a name property: the first distinct id, ids that look like UUIDs last', async () => {
    // distinct ids change by ingestion, not through this API: set them in the store (edit, then change)
    const { id } = byUuid(VISITOR);
    const setIds = (ids: string[]) => (state().persons.edit(id)!.distinct_ids = ids);
    setIds(['0190a1b2-aaaa-7000-8000-000000000001', 'zz-last-but-not-uuid']);
    expect(await nameOf(VISITOR)).toBe('zz-last-but-not-uuid');
    setIds(['0190a1b2-aaaa-7000-8000-000000000001']);
    expect(await nameOf(VISITOR)).toBe('0190a1b2-aaaa-7000-8000-000000000001');
    setIds([]);
    expect(await nameOf(VISITOR)).toBe(String(id));
  });
});
