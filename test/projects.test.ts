import {
  collectPages,
  error,
  expectUnchanged,
  KEYS,
  NOT_FOUND,
  ORG,
  useMock,
  validation,
} from './support/api';

const api = useMock();
const PROJECTS = `/api/organizations/${ORG}/projects`;

describe('projects', () => {
  test('list answers the short form of the seeded projects, project 1 first', async () => {
    const res = await api.get(`${PROJECTS}/`);
    expect(res.body.count).toBe(3);
    expect(res.body.results[0]).toEqual({
      id: 1,
      uuid: expect.any(String),
      organization: ORG,
      api_token: expect.stringMatching(/^phc_/),
      name: 'Hedgebox Web',
      completed_snippet_onboarding: true,
      has_completed_onboarding_for: null,
      ingested_event: true,
      is_demo: false,
      timezone: expect.any(String),
      access_control: false,
    });
    expect(await collectPages(api, `${PROJECTS}/?limit=1`)).toEqual(res.body.results);
  });

  test('list filters by search and works under @current', async () => {
    const res = await api.get(`/api/organizations/@current/projects?search=mobile`);
    expect(res.body.results.map((p: { name: string }) => p.name)).toEqual(['Hedgebox Mobile']);
  });

  test('create answers 201 with the full project, with defaults, and it reads back', async () => {
    const res = await api.post(`${PROJECTS}/`, {
      name: 'Checkout',
      timezone: 'Europe/Paris',
      api_token: 'ignored',
    });
    expect(res.status).toBe(201);
    const { name, timezone, organization, session_recording_retention_period, week_start_day } = res.body;
    expect({ name, timezone, organization, session_recording_retention_period, week_start_day }).toEqual({
      name: 'Checkout',
      timezone: 'Europe/Paris',
      organization: ORG,
      session_recording_retention_period: '30d',
      week_start_day: null,
    });
    expect(res.body.api_token).toMatch(/^phc_\w{43}$/);
    expect((await api.get(`${PROJECTS}/${res.body.id}`)).body).toEqual(res.body);
    const list = await api.get(`${PROJECTS}/`);
    expect(list.body.count).toBe(4);
    const unnamed = await api.post(`${PROJECTS}/`, {}, { as: 'form' });
    expect(unnamed.body.name).toBe('Default project');
  });

  test.each([
    [{ name: '' }, validation('blank', 'This field may not be blank.', 'name')],
    [
      { name: 'x'.repeat(201) },
      validation('max_length', 'Ensure this field has no more than 200 characters.', 'name'),
    ],
    [
      { timezone: 'Mars/Phobos' },
      validation('invalid_choice', '"Mars/Phobos" is not a valid choice.', 'timezone'),
    ],
    [{ week_start_day: 3 }, validation('invalid_choice', '"3" is not a valid choice.', 'week_start_day')],
    [
      { session_recording_retention_period: '2d' },
      validation('invalid_choice', '"2d" is not a valid choice.', 'session_recording_retention_period'),
    ],
    [
      { session_recording_minimum_duration_milliseconds: 30001 },
      validation(
        'max_value',
        'Ensure this value is less than or equal to 30000.',
        'session_recording_minimum_duration_milliseconds',
      ),
    ],
    [{ anonymize_ips: 'maybe' }, validation('invalid_input', 'Must be a valid boolean.', 'anonymize_ips')],
    [
      { primary_dashboard: 1 },
      validation(
        'invalid_input',
        'Primary dashboard cannot be set on project creation.',
        'primary_dashboard',
      ),
    ],
  ])('create rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${PROJECTS}/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  // PostHog: creating needs organization admin (OrganizationAdminWritePermissions); deleting is a project
  // admin action (behaviour notes §2), each with its own 403 detail
  test('members cannot create or delete projects; admins can', async () => {
    const denied = (detail: string) => error('authentication_error', 'permission_denied', detail);
    const before = api.mock.app.store.snapshot();
    expect((await api.post(`${PROJECTS}/`, { name: 'x' }, { key: KEYS.member })).body).toEqual(
      denied('Your organization access level is insufficient.'),
    );
    expect((await api.delete(`${PROJECTS}/2`, { key: KEYS.member })).body).toEqual(
      denied("You don't have sufficient permissions in the project."),
    );
    expectUnchanged(api, before);
    const created = await api.post(`${PROJECTS}/`, { name: 'By admin' }, { key: KEYS.admin });
    expect(created.status).toBe(201);
    expect((await api.delete(`${PROJECTS}/${created.body.id}`, { key: KEYS.admin })).status).toBe(204);
    expect((await api.delete(`${PROJECTS}/2`, { key: KEYS.admin })).status).toBe(204);
  });

  test('effective_membership_level is the caller’s level', async () => {
    for (const [key, level] of [
      [KEYS.owner, 15],
      [KEYS.admin, 8],
      [KEYS.member, 1],
    ] as const) {
      expect((await api.get(`${PROJECTS}/1`, { key })).body.effective_membership_level).toBe(level);
    }
    const patched = await api.patch(`${PROJECTS}/1`, { name: 'By member' }, { key: KEYS.member });
    expect(patched.body.effective_membership_level).toBe(1);
  });

  test('PATCH changes only the given fields and merges session_replay_config', async () => {
    const before = (await api.get(`${PROJECTS}/1`)).body;
    await api.patch(`${PROJECTS}/1`, { session_replay_config: { record_canvas: true } });
    const res = await api.patch(`${PROJECTS}/1/`, {
      name: 'Renamed',
      session_replay_config: { ai_config: { enabled: false } },
    });
    expect(res.status).toBe(200);
    expect(res.body.session_replay_config).toEqual({ record_canvas: true, ai_config: { enabled: false } });
    expect(res.body.name).toBe('Renamed');
    expect(res.body.timezone).toBe(before.timezone);
    expect(res.body.api_token).toBe(before.api_token);
    expect(res.body.updated_at > before.updated_at).toBe(true);
    expect((await api.get(`${PROJECTS}/1`)).body).toEqual(res.body);
  });

  test('PUT replaces the given settings; multipart and form bodies work', async () => {
    await api.patch(`${PROJECTS}/1`, { survey_config: { a: 1 } });
    const put = await api.put(
      `${PROJECTS}/1`,
      { survey_config: { b: 2 }, is_demo: true },
      { as: 'multipart' },
    );
    expect(put.body.survey_config).toEqual({ b: 2 });
    expect(put.body.is_demo).toBe(true);
    // session_replay_config too: PUT replaces what PATCH would merge
    await api.patch(`${PROJECTS}/1`, { session_replay_config: { record_canvas: true } });
    const replaced = await api.put(`${PROJECTS}/1`, { session_replay_config: { ai_config: null } });
    expect(replaced.body.session_replay_config).toEqual({ ai_config: null });
    expect((await api.get(`${PROJECTS}/1`)).body.survey_config).toEqual({ b: 2 });
    const form = await api.patch(
      `${PROJECTS}/1`,
      { anonymize_ips: 'true', week_start_day: '1' },
      { as: 'form' },
    );
    expect([form.body.anonymize_ips, form.body.week_start_day]).toEqual([true, 1]);
  });

  test('PATCH rejects a dashboard that does not exist, and changes nothing', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${PROJECTS}/1`, { primary_dashboard: 7, name: 'x' });
    expect(res.body).toEqual(
      validation('does_not_exist', 'Invalid pk "7" - object does not exist.', 'primary_dashboard'),
    );
    expectUnchanged(api, before);
  });

  test('DELETE answers 204; the project, its persons, cohorts and configs are gone, others stay', async () => {
    const { state } = api.mock.app.store;
    const owned = (teamId: number) =>
      [state.persons, state.cohorts, state.pluginConfigs].map(
        (map) => [...map.values()].filter((item) => item.team_id === teamId).length,
      );
    const kept = owned(2);
    // the test means something only if project 1 has each kind of thing
    for (const n of owned(1)) expect(n).toBeGreaterThan(0);
    const res = await api.delete(`${PROJECTS}/1`);
    expect(res.status).toBe(204);
    expect(owned(1)).toEqual([0, 0, 0]);
    expect(owned(2)).toEqual(kept);
    expect(state.projects.has(1)).toBe(false);
    expect(state.projects.has(2)).toBe(true);
    expect((await api.get(`${PROJECTS}/1`)).body).toEqual(NOT_FOUND);
    expect((await api.get('/api/projects/1/persons')).body).toEqual(
      error('invalid_request', 'not_found', 'Project not found.'),
    );
    expect((await api.get(`${PROJECTS}/2`)).status).toBe(200);
  });

  test('activity records the creation and every change, newest first', async () => {
    await api.patch(`${PROJECTS}/1`, { name: 'First rename' });
    await api.patch(`${PROJECTS}/1`, { name: 'First rename' });
    await api.patch(`${PROJECTS}/1`, { timezone: 'Asia/Tokyo', name: 'Second' });
    const res = await api.get(`${PROJECTS}/1/activity`);
    expect(res.body.total_count).toBe(3);
    expect(res.body.results.map((e: { activity: string }) => e.activity)).toEqual([
      'updated',
      'updated',
      'created',
    ]);
    expect(res.body.results[0].detail.changes).toEqual([
      {
        type: 'Project',
        action: 'changed',
        field: 'timezone',
        before: expect.any(String),
        after: 'Asia/Tokyo',
      },
      { type: 'Project', action: 'changed', field: 'name', before: 'First rename', after: 'Second' },
    ]);
    expect(res.body.results[0].user.email).toBe('owner@hedgebox.test');
    const page = await api.get(`${PROJECTS}/1/activity?limit=1&page=2`);
    expect(page.body.results[0].detail.changes[0].after).toBe('First rename');
    expect(page.body.next).toBe(`${api.mock.url}${PROJECTS}/1/activity?limit=1&page=3`);
  });

  test('created projects have a creation entry', async () => {
    const created = await api.post(`${PROJECTS}/`, { name: 'New' });
    const res = await api.get(`${PROJECTS}/${created.body.id}/activity`, { key: KEYS.admin });
    expect(res.body).toEqual({
      results: [
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          user: expect.objectContaining({ email: 'owner@hedgebox.test' }),
          unread: false,
          organization_id: ORG,
          was_impersonated: false,
          is_system: false,
          activity: 'created',
          item_id: String(created.body.id),
          scope: 'Project',
          detail: { changes: null, merge: null, trigger: null, name: 'New', short_id: null, type: null },
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        },
      ],
      next: null,
      previous: null,
      total_count: 1,
    });
  });

  test('is_generating_demo_data and reset_token', async () => {
    expect((await api.get(`${PROJECTS}/1/is_generating_demo_data`)).body).toEqual({
      is_generating_demo_data: false,
    });
    const before = (await api.get(`${PROJECTS}/1`)).body;
    const res = await api.patch(`${PROJECTS}/1/reset_token`, {});
    expect(res.body.api_token).toMatch(/^phc_/);
    expect(res.body.api_token).not.toBe(before.api_token);
    expect((await api.get(`${PROJECTS}/1`)).body.api_token).toBe(res.body.api_token);
    const activity = await api.get(`${PROJECTS}/1/activity`);
    // newest first: the reset, then the seeded creation
    expect(activity.body.total_count).toBe(2);
    expect(activity.body.results[0].activity).toBe('updated');
    expect(activity.body.results[0].detail.changes).toEqual([
      {
        type: 'Project',
        action: 'changed',
        field: 'api_token',
        before: before.api_token,
        after: res.body.api_token,
      },
    ]);
  });

  test('reset_token is for admins: a member is refused and nothing changes', async () => {
    const before = api.mock.app.store.snapshot();
    const denied = await api.patch(`${PROJECTS}/1/reset_token`, {}, { key: KEYS.member });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(
      error(
        'authentication_error',
        'permission_denied',
        "You don't have sufficient permissions in the project.",
      ),
    );
    expectUnchanged(api, before);
    const allowed = await api.patch(`${PROJECTS}/1/reset_token`, {}, { key: KEYS.admin });
    expect(allowed.status).toBe(200);
    expect(allowed.body.api_token).not.toBe(denied.body.api_token);
  });

  test.each(['999', 'abc', '1.5'])('unknown or malformed id %s → 404 on every operation', async (id) => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['GET', '/activity'],
      ['GET', '/is_generating_demo_data'],
      ['PATCH', '/reset_token'],
    ] as const) {
      const res = await api.call(method, `${PROJECTS}/${id}${suffix}`, { body: {} });
      expect(res.body).toEqual(NOT_FOUND);
    }
  });

  test('unknown or malformed organization → 404 Organization not found.', async () => {
    const expected = error('invalid_request', 'not_found', 'Organization not found.');
    expect((await api.get('/api/organizations/not-a-uuid/projects')).body).toEqual(expected);
    expect(
      (await api.get('/api/organizations/11111111-1111-4111-8111-111111111111/projects/1')).body,
    ).toEqual(expected);
  });

  test('malformed JSON → 400 parse_error, store unchanged', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.call('PATCH', `${PROJECTS}/1`, {
      body: '{"name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      error('invalid_request', 'parse_error', expect.stringMatching(/^JSON parse error - /)),
    );
    expectUnchanged(api, before);
  });

  test('POST to a project → 405 with Allow', async () => {
    const res = await api.post(`${PROJECTS}/1`, {});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(res.body).toEqual(error('invalid_request', 'method_not_allowed', 'Method "POST" not allowed.'));
  });
});

describe('project details', () => {
  test('a created project has its own tokens: phc_ api token, phs_ secret token, a live events token', async () => {
    const res = await api.post(`${PROJECTS}/`, { name: 'Tokens' });
    expect(res.body.secret_api_token).toMatch(/^phs_\w{35}$/);
    expect(res.body.live_events_token).toMatch(/^\w{32}$/);
    expect(res.body.live_events_token).not.toMatch(/^ph[cs]_/);
  });

  test('projects of another organization are neither listed nor found; ids are whole numbers', async () => {
    const project = api.mock.app.store.state.projects.get(2)!;
    project.organization = '11111111-2222-4333-8444-555555555555';
    const list = await api.get(`${PROJECTS}/`);
    expect(list.body.results.map((p: { id: number }) => p.id)).toEqual([1, 3]);
    expect((await api.get(`${PROJECTS}/2`)).body).toEqual(NOT_FOUND);
    for (const id of ['x1', '1x', '11']) expect((await api.get(`${PROJECTS}/${id}`)).body).toEqual(NOT_FOUND);
  });

  test('the list is ordered by id; a deletion is recorded as activity', async () => {
    const created = await api.post(`${PROJECTS}/`, { name: 'Zeta' });
    const list = await api.get(`${PROJECTS}/?limit=10`);
    const ids = list.body.results.map((p: { id: number }) => p.id);
    expect(ids).toEqual([1, 2, 3, created.body.id]);
    await api.delete(`${PROJECTS}/${created.body.id}`);
    const entry = api.mock.app.store.state.activity.find(
      (e) => e.scope === 'Project' && e.item_id === String(created.body.id) && e.activity === 'deleted',
    );
    expect(entry).toBeDefined();
  });

  test('primary_dashboard null is accepted on update', async () => {
    const res = await api.patch(`${PROJECTS}/1`, { primary_dashboard: null });
    expect(res.status).toBe(200);
  });
});
