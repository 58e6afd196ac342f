import { error, expectUnchanged, KEYS, ORG, USERS, useMock } from './support/api';

/**
 * PostHog: a user who has left an organization keeps their account and personal API key, but gets 403 on
 * that organization's endpoints and its projects' (OrganizationMemberPermissions / the project
 * membership check run before the view: the generic detail). The fixture former member is Fred Former
 * (fixtures/former-members.json, key `phx_mock_former_member_personal_api_key`), who holds no membership.
 */
const api = useMock();
const denied = error(
  'authentication_error',
  'permission_denied',
  'You do not have permission to perform this action.',
);
const O = `/api/organizations/${ORG}`;
const P = '/api/projects/1';

/** one valid request per kind of endpoint, so the only difference between callers is who they are */
const REQUESTS = [
  ['GET', `${O}/members/`, undefined, 200],
  ['GET', `${O}/roles/`, undefined, 200],
  ['POST', `${O}/invites/`, { target_email: 'someone.new@hedgebox.test' }, 201],
  ['GET', `${O}/projects/`, undefined, 200],
  ['GET', `${O}/projects/1/`, undefined, 200],
  ['PATCH', `${O}/projects/1/`, { name: 'Renamed' }, 200],
  ['GET', `${O}/oauth_applications/`, undefined, 200],
  ['GET', `/api/organizations/@current/members/@me/scoped_api_keys/`, undefined, 200],
  ['GET', `${P}/persons/`, undefined, 200],
  ['GET', `${P}/pipeline_destination_configs/`, undefined, 200],
  ['PATCH', `${P}/pipeline_destination_configs/1/`, { name: 'Renamed' }, 200],
  ['GET', `/api/projects/@current/pipeline_frontend_apps_configs/`, undefined, 200],
] as const;

describe('a former member of the organization', () => {
  test('gets 403 on the organization’s and its projects’ endpoints; nothing changes', async () => {
    const before = api.mock.app.store.snapshot();
    for (const [method, url, body] of REQUESTS) {
      const res = await api.call(method, url, { key: KEYS.former, body });
      expect([method, url, res.status, res.body]).toEqual([method, url, 403, denied]);
    }
    expectUnchanged(api, before);
  });

  test('a current member makes the same requests and is served', async () => {
    for (const [method, url, body, status] of REQUESTS) {
      const res = await api.call(method, url, { key: KEYS.member, body });
      expect([method, url, res.status]).toEqual([method, url, status]);
    }
  });

  test('is seeded as a user with a key and no membership', async () => {
    const { state } = api.mock.app.store;
    const fred = [...state.users.values()].find((u) => u.uuid === USERS.former)!;
    expect(fred.personal_api_keys.map((k) => k.value)).toEqual([KEYS.former]);
    expect([...state.memberships.values()].some((m) => m.user_id === fred.id)).toBe(false);
    const members = await api.get(`${O}/members/?email=former@hedgebox.test`);
    expect(members.body.count).toBe(0);
  });

  test('a member who leaves (DELETE members/@me) is refused from then on', async () => {
    expect((await api.get(`${O}/roles/`, { key: KEYS.member })).status).toBe(200);
    expect((await api.delete(`${O}/members/@me/`, { key: KEYS.member })).status).toBe(204);
    for (const url of [`${O}/roles/`, `${P}/persons/`, `${O}/members/@me/scoped_api_keys/`]) {
      const res = await api.get(url, { key: KEYS.member });
      expect([url, res.status, res.body]).toEqual([url, 403, denied]);
    }
  });

  test('an unknown organization or project is still a 404, found before membership is judged', async () => {
    const org = await api.get('/api/organizations/11111111-2222-4333-8444-555555555555/roles/', {
      key: KEYS.former,
    });
    expect([org.status, org.body]).toEqual([
      404,
      error('invalid_request', 'not_found', 'Organization not found.'),
    ]);
    const project = await api.get('/api/projects/999/persons/', { key: KEYS.former });
    expect([project.status, project.body]).toEqual([
      404,
      error('invalid_request', 'not_found', 'Project not found.'),
    ]);
  });
});
