import type { Store } from '../src/store/store';
import type { PersonalApiKey } from '../src/store/types';
import {
  error,
  expectFields,
  expectUnchanged,
  KEYS,
  NOT_FOUND,
  ORG,
  USERS,
  useMock,
  validation,
  type Api,
} from './support/api';

/**
 * The calls PostHog's clients make first (issue 8): who am I (`/api/users/@me/`), with which key
 * (`/api/personal_api_keys/@current/`), what can I see (`/api/organizations/`, the root `/api/projects/`).
 * Each test names the PostHog behaviour it reproduces (posthog-identity-endpoints.md in the reference
 * notes). Every response is schema-checked by useMock.
 */

const FIXTURE_KEYS = {
  readOnly: 'phx_mock_read_only_personal_api_key',
  project1: 'phx_mock_project_1_personal_api_key',
  otherOrg: 'phx_mock_other_org_personal_api_key',
} as const;
const OTHER_ORG_OF_KEY = '0190a1b2-9999-7000-8000-000000000999';

/** a second organization, with project 10; the owner belongs to it only when `member` */
const SECOND_ORG = '0190a1b2-7777-7000-8000-000000000777';
const SECOND_PROJECT = 10;
function addSecondOrganization(store: Store, member: boolean): void {
  const { state } = store;
  state.organizations.set(SECOND_ORG, {
    id: SECOND_ORG,
    name: 'Second Org, Ltd.',
    created_at: '2025-05-01T00:00:00.000000Z',
  });
  if (member) {
    state.memberships.set('0190a1b2-7777-7000-8000-00000000a001', {
      id: '0190a1b2-7777-7000-8000-00000000a001',
      organization_id: SECOND_ORG,
      user_id: 1,
      level: 8,
      // after the owner joined the seeded organization (the seed's dates are before 2025-06-01)
      joined_at: '2025-06-02T00:00:00.000000Z',
      updated_at: '2025-06-02T00:00:00.000000Z',
    });
  }
  state.projects.set(SECOND_PROJECT, {
    ...structuredClone(state.projects.get(2)!),
    id: SECOND_PROJECT,
    uuid: '0190a1b2-7777-7000-8000-0000000000aa',
    organization: SECOND_ORG,
    name: 'Second Org App',
    api_token: 'phc_second_org_app_token',
  });
}

let added = 0;
/** adds a key to the owner of the store being served; returns its value */
function addKey(api: Api, scopes: string[], restrict: Partial<PersonalApiKey> = {}): string {
  const value = `phx_identity_test_${++added}`;
  api.mock.app.store.user(1).personal_api_keys.push({
    id: `identity-test-${added}`,
    label: 'identity test',
    value,
    scopes,
    last_used_at: null,
    ...restrict,
  });
  return value;
}

/** the owner leaves the seeded organization (the store's own removal: membership gone) */
function ownerLeaves(store: Store): void {
  for (const [id, m] of store.state.memberships) {
    if (m.user_id === 1 && m.organization_id === ORG) store.state.memberships.delete(id);
  }
}

const denied = (detail: string) => error('authentication_error', 'permission_denied', detail);
const missing = (scope: string) => denied(`API key missing required scope '${scope}'`);
const NO_KEY_ACCESS = denied('This action does not support Personal API Key access');
const SCOPED_PROJECTS_ONLY = denied(
  'API keys with scoped projects are only supported on project-based endpoints.',
);

describe('default keys', () => {
  const api = useMock({ seed: { personsPerProject: 10 } });
  const store = () => api.mock.app.store;

  describe('GET /api/users/@me/', () => {
    test('answers the caller, their current organization (full) and project (TeamBasic), and every organization they belong to', async () => {
      const res = await api.get('/api/users/@me/');
      expect(res.status).toBe(200);
      expectFields(res.body, {
        id: 1,
        uuid: USERS.owner,
        email: 'owner@hedgebox.test',
        first_name: 'Olivia',
        role_at_organization: 'founder',
        is_staff: false,
        is_organization_first_user: expect.any(Boolean) as unknown,
        pending_invites: [],
        // write-only fields are never answered
      });
      expect(res.body).not.toHaveProperty('set_current_team');
      expect(res.body).not.toHaveProperty('password');
      expectFields(res.body.team, { id: 1, project_id: 1, organization: ORG, name: 'Hedgebox Web' });
      expectFields(res.body.organization, { id: ORG, name: 'Hedgebox Inc.', membership_level: 15 });
      expect(res.body.organizations).toEqual([
        {
          id: ORG,
          name: 'Hedgebox Inc.',
          slug: 'hedgebox-inc',
          logo_media_id: null,
          membership_level: 15,
          members_can_use_personal_api_keys: true,
          is_active: true,
          is_not_active_reason: null,
          is_pending_deletion: false,
        },
      ]);
    });

    test('each user sees themself, with their own level (member: 1)', async () => {
      const res = await api.get('/api/users/@me', { key: KEYS.member });
      expectFields(res.body, { uuid: USERS.member, email: 'member@hedgebox.test' });
      expect(res.body.organization.membership_level).toBe(1);
      expect(res.body.organizations[0].membership_level).toBe(1);
    });

    test('any other user, known or not, is refused to a non-staff caller (403)', async () => {
      for (const uuid of [USERS.admin, USERS.owner, 'nobody']) {
        const res = await api.get(`/api/users/${uuid}/`);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(
          denied("As a non-staff user you're only allowed to access the `@me` user instance."),
        );
      }
    });

    test('no key is 401, as everywhere', async () => {
      const res = await api.get('/api/users/@me/', { key: null });
      expect(res.status).toBe(401);
    });

    test('a user who left their current organization falls back to another they belong to', async () => {
      addSecondOrganization(store(), true);
      ownerLeaves(store());
      const res = await api.get('/api/users/@me/');
      expectFields(res.body.organization, { id: SECOND_ORG, membership_level: 8, slug: 'second-org-ltd' });
      expect(res.body.team.id).toBe(SECOND_PROJECT);
      expect(res.body.organizations.map((o: { id: string }) => o.id)).toEqual([SECOND_ORG]);
    });

    test('a user who belongs to no organization has organization and team null', async () => {
      ownerLeaves(store());
      const res = await api.get('/api/users/@me/');
      expectFields(res.body, {
        organization: null,
        team: null,
        organizations: [],
        is_organization_first_user: null,
      });
    });

    test('pending_invites lists the valid invitations to the user’s email, newest first', async () => {
      addSecondOrganization(store(), false);
      const created = new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
      store().state.invites.set('0190a1b2-7777-7000-8000-0000000000b1', {
        ...structuredClone([...store().state.invites.values()][0]!),
        id: '0190a1b2-7777-7000-8000-0000000000b1',
        organization_id: SECOND_ORG,
        target_email: 'Admin@Hedgebox.test',
        created_at: created,
        updated_at: created,
      });
      const res = await api.get('/api/users/@me/', { key: KEYS.admin });
      expect(res.body.pending_invites).toEqual([
        {
          id: '0190a1b2-7777-7000-8000-0000000000b1',
          target_email: 'Admin@Hedgebox.test',
          organization_id: SECOND_ORG,
          organization_name: 'Second Org, Ltd.',
          created_at: created,
        },
      ]);
      // the seeded invites were all sent before the seed date: expired, so not pending
      expect((await api.get('/api/users/@me/', { key: KEYS.owner })).body.pending_invites).toEqual([]);
    });
  });

  describe('PATCH /api/users/@me/', () => {
    test('set_current_team switches the current project; @current follows it everywhere', async () => {
      const res = await api.patch('/api/users/@me/', { set_current_team: 2 });
      expect(res.status).toBe(200);
      expect(res.body.team.id).toBe(2);
      expect(res.body.organization.id).toBe(ORG);
      expect((await api.get('/api/projects/@current/')).body.id).toBe(2);
      // the project-level routes' @current too: project 1 has the seeded pipeline configs, project 2 none
      const configs = await api.get('/api/projects/@current/pipeline_destination_configs/');
      expect(configs.body.count).toBe(0);
      expect((await api.get('/api/projects/1/pipeline_destination_configs/')).body.count).toBeGreaterThan(0);
      // and it is the caller's own choice: another user's @current stays project 1
      expect((await api.get('/api/projects/@current/', { key: KEYS.admin })).body.id).toBe(1);
    });

    test('set_current_team alone also makes the team’s organization current', async () => {
      addSecondOrganization(store(), true);
      const res = await api.patch('/api/users/@me/', { set_current_team: SECOND_PROJECT });
      expect(res.body.organization.id).toBe(SECOND_ORG);
      expect((await api.get('/api/organizations/@current/')).body.id).toBe(SECOND_ORG);
      expect((await api.get('/api/organizations/@current/projects/')).body.results[0].id).toBe(
        SECOND_PROJECT,
      );
    });

    test('set_current_organization alone makes that organization’s first project current', async () => {
      addSecondOrganization(store(), true);
      await api.patch('/api/users/@me/', { set_current_team: 2 });
      const res = await api.patch('/api/users/@me/', { set_current_organization: SECOND_ORG });
      expect(res.body.organization.id).toBe(SECOND_ORG);
      expect(res.body.team.id).toBe(SECOND_PROJECT);
      const back = await api.patch('/api/users/@me/', { set_current_organization: ORG.toUpperCase() });
      expect(back.body.team.id).toBe(1);
    });

    test('both, consistent, set both', async () => {
      const res = await api.patch('/api/users/@me/', { set_current_organization: ORG, set_current_team: 3 });
      expect(res.body.team.id).toBe(3);
    });

    test.each([
      ['an unknown organization', { set_current_organization: '0190a1b2-0000-7000-8000-00000000dead' }],
      ['an organization the user does not belong to', { set_current_organization: SECOND_ORG }],
      ['a value that is no uuid', { set_current_organization: 'not-an-org' }],
    ])('set_current_organization of %s is 400 does_not_exist, nothing changes', async (_why, body) => {
      addSecondOrganization(store(), false);
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        validation(
          'does_not_exist',
          `Object with id=${body.set_current_organization} does not exist.`,
          'set_current_organization',
        ),
      );
      expectUnchanged(api, before);
    });

    test.each([
      ['an unknown project', 999],
      ['a project in an organization the user does not belong to', SECOND_PROJECT],
    ])('set_current_team of %s is 400 does_not_exist, nothing changes', async (_why, team) => {
      addSecondOrganization(store(), false);
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', { set_current_team: team });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        validation('does_not_exist', `Object with id=${team} does not exist.`, 'set_current_team'),
      );
      expectUnchanged(api, before);
    });

    test('a team outside the organization sent with it is 400 on set_current_team', async () => {
      addSecondOrganization(store(), true);
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', {
        set_current_organization: SECOND_ORG,
        set_current_team: 1,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        validation(
          'invalid_input',
          'Team must belong to the same organization in set_current_organization.',
          'set_current_team',
        ),
      );
      expectUnchanged(api, before);
    });

    test('a user who left an organization can no longer make it or its projects current', async () => {
      addSecondOrganization(store(), true);
      ownerLeaves(store());
      expect((await api.patch('/api/users/@me/', { set_current_team: 1 })).status).toBe(400);
      expect((await api.patch('/api/users/@me/', { set_current_organization: ORG })).status).toBe(400);
    });

    test.each([
      ['email', { email: 'new@hedgebox.test' }],
      ['password', { password: 'correct horse battery staple', current_password: 'x' }],
    ])('changing the %s with a key is 403, nothing changes', async (_what, body) => {
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', { first_name: 'Changed', ...body });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        denied(
          'You can only change your email or password from the PostHog app, not with an API key or token.',
        ),
      );
      expectUnchanged(api, before);
    });

    test('is_staff: true is refused to a non-staff user; false changes nothing', async () => {
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', { is_staff: true, first_name: 'Changed' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(denied('You are not a staff user, contact your instance admin.'));
      expectUnchanged(api, before);
      expect((await api.patch('/api/users/@me/', { is_staff: false })).body.is_staff).toBe(false);
    });

    test('the user’s own fields and settings are written and read back; notification_settings merges', async () => {
      const res = await api.patch('/api/users/@me/', {
        first_name: 'Liv',
        role_at_organization: 'leadership',
        theme_mode: 'dark',
        toolbar_mode: 'disabled',
        shortcut_position: 'below',
        notification_settings: { plugin_disabled: false },
      });
      expect(res.status).toBe(200);
      const me = (await api.get('/api/users/@me/')).body;
      expectFields(me, {
        first_name: 'Liv',
        last_name: 'Owner',
        role_at_organization: 'leadership',
        theme_mode: 'dark',
        toolbar_mode: 'disabled',
        shortcut_position: 'below',
        anonymize_data: false,
      });
      expect(me.notification_settings).toMatchObject({
        plugin_disabled: false,
        all_weekly_digest_disabled: false,
      });
      // the name is the store's: every other view of the user shows it
      const member = await api.get(`/api/organizations/${ORG}/members/?email=owner@hedgebox.test`);
      expect(member.body.results[0].user.first_name).toBe('Liv');
      await api.patch('/api/users/@me/', { notification_settings: { discussions_mentioned: false } });
      expect((await api.get('/api/users/@me/')).body.notification_settings).toMatchObject({
        plugin_disabled: false,
        discussions_mentioned: false,
      });
    });

    test('a null shortcut_position reads back as "above", as PostHog answers it', async () => {
      await api.patch('/api/users/@me/', { shortcut_position: null });
      expect((await api.get('/api/users/@me/')).body.shortcut_position).toBe('above');
    });

    test.each([
      [{ theme_mode: 'neon' }, validation('invalid_choice', '"neon" is not a valid choice.', 'theme_mode')],
      [
        { set_current_team: 'two' },
        validation('invalid_input', 'A valid integer is required.', 'set_current_team'),
      ],
      [
        { first_name: 'x'.repeat(151) },
        validation('max_length', 'Ensure this field has no more than 150 characters.', 'first_name'),
      ],
    ])('invalid %j is refused with the field’s error', async (body, expected) => {
      const before = store().snapshot();
      const res = await api.patch('/api/users/@me/', body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: expected });
      expectUnchanged(api, before);
    });
  });

  describe('GET /api/personal_api_keys/@current/', () => {
    test('answers the calling key: label, masked value (first 4 + ... + last 4), never the value', async () => {
      const res = await api.get('/api/personal_api_keys/@current/');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: store().user(1).personal_api_keys[0]!.id,
        label: 'posthog-mock fixture key',
        value: null,
        mask_value: 'phx_..._key',
        created_at: expect.any(String) as unknown,
        last_used_at: null,
        user_id: 1,
        scopes: ['*'],
        scoped_teams: [],
        scoped_organizations: [],
        last_rolled_at: null,
      });
    });

    test('a restricted key shows its projects and organizations; another user’s key shows its user', async () => {
      expectFields((await api.get('/api/personal_api_keys/@current/', { key: FIXTURE_KEYS.project1 })).body, {
        scopes: ['*'],
        scoped_teams: [1],
        scoped_organizations: [],
      });
      expectFields((await api.get('/api/personal_api_keys/@current/', { key: FIXTURE_KEYS.otherOrg })).body, {
        scoped_teams: [],
        scoped_organizations: [OTHER_ORG_OF_KEY],
      });
      expect((await api.get('/api/personal_api_keys/@current/', { key: KEYS.member })).body.user_id).toBe(3);
    });

    test('a key stored with no scopes is shown as ["*"], as PostHog serializes it', async () => {
      const key = addKey(api, []);
      expect((await api.get('/api/personal_api_keys/@current/', { key })).body.scopes).toEqual(['*']);
    });

    test('a key no user has stands in for the owner (default keys): its record says so, stably', async () => {
      const first = await api.get('/api/personal_api_keys/@current/', { key: 'phx_anything_goes_here' });
      expect(first.status).toBe(200);
      expectFields(first.body, {
        mask_value: 'phx_...here',
        user_id: 1,
        scopes: ['*'],
        scoped_teams: [],
        scoped_organizations: [],
        value: null,
      });
      const again = await api.get('/api/personal_api_keys/@current/', { key: 'phx_anything_goes_here' });
      expect(again.body.id).toBe(first.body.id);
      const other = await api.get('/api/personal_api_keys/@current/', { key: 'phx_something_else' });
      expect(other.body.id).not.toBe(first.body.id);
    });

    test('by id: the caller’s keys; another user’s key or an unknown id is 404', async () => {
      const own = store().user(1).personal_api_keys[1]!;
      expect((await api.get(`/api/personal_api_keys/${own.id}/`)).body.mask_value).toBe('phx_..._key');
      const admins = store().user(2).personal_api_keys[0]!.id;
      for (const id of [admins, 'nope']) {
        const res = await api.get(`/api/personal_api_keys/${id}/`);
        expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: NOT_FOUND });
      }
    });
  });

  describe('GET /api/personal_api_keys/', () => {
    test('answers the caller’s keys as a bare array, newest first, values masked (as for a session)', async () => {
      const newest = addKey(api, ['person:read']);
      const res = await api.get('/api/personal_api_keys/');
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body.map((k: { mask_value: string }) => k.mask_value)).toEqual([
        `phx_...${newest.slice(-4)}`,
        'phx_..._key',
        'phx_..._key',
        'phx_..._key',
        'phx_..._key',
      ]);
      expect(
        res.body.every((k: { value: unknown; user_id: number }) => k.value === null && k.user_id === 1),
      ).toBe(true);
      expect((await api.get('/api/personal_api_keys/', { key: KEYS.member })).body).toHaveLength(1);
    });
  });

  describe('GET /api/organizations/', () => {
    test('lists the organizations the caller belongs to, each with their level, projects and member count', async () => {
      const res = await api.get('/api/organizations/');
      expect(res.status).toBe(200);
      expectFields(res.body, { count: 1, next: null, previous: null });
      const org = res.body.results[0];
      expectFields(org, {
        id: ORG,
        name: 'Hedgebox Inc.',
        slug: 'hedgebox-inc',
        membership_level: 15,
        member_count: store().state.memberships.size,
        metadata: { instance_tag: 'none' },
        projects: [
          { id: 1, organization_id: ORG, name: 'Hedgebox Web' },
          { id: 2, organization_id: ORG, name: 'Hedgebox Mobile' },
          { id: 3, organization_id: ORG, name: store().state.projects.get(3)!.name },
        ],
      });
      expect(org.teams.map((t: { id: number; api_token: string }) => [t.id, t.api_token])).toEqual(
        [...store().state.projects.values()].map((p) => [p.id, p.api_token]),
      );
      expect(
        (await api.get('/api/organizations/', { key: KEYS.admin })).body.results[0].membership_level,
      ).toBe(8);
    });

    test('a second organization appears once the caller belongs to it, in the order they joined', async () => {
      addSecondOrganization(store(), false);
      expect((await api.get('/api/organizations/')).body.count).toBe(1);
      addSecondOrganization(store(), true);
      const res = await api.get('/api/organizations/?limit=1');
      expectFields(res.body, { count: 2, previous: null });
      expect(res.body.results[0].id).toBe(ORG);
      const next = await api.get(new URL(res.body.next).pathname + new URL(res.body.next).search);
      expectFields(next.body.results[0], {
        id: SECOND_ORG,
        membership_level: 8,
        teams: [expect.objectContaining({ id: SECOND_PROJECT })],
      });
    });

    test('a former member no longer lists the organization', async () => {
      ownerLeaves(store());
      expectFields((await api.get('/api/organizations/')).body, { count: 0, results: [] });
    });
  });

  describe('GET /api/organizations/{id}/', () => {
    test('by id (any case) and as @current: the full Organization', async () => {
      const byId = await api.get(`/api/organizations/${ORG.toUpperCase()}/`);
      expect(byId.status).toBe(200);
      const current = await api.get('/api/organizations/@current/');
      expect(current.body).toEqual(byId.body);
      expect(byId.body.id).toBe(ORG);
    });

    test.each([
      ['an unknown uuid', '0190a1b2-0000-7000-8000-00000000dead'],
      ['no uuid at all', 'hedgebox'],
      ['an organization the caller does not belong to', SECOND_ORG],
    ])('%s is 404 Not found.', async (_why, id) => {
      addSecondOrganization(store(), false);
      const res = await api.get(`/api/organizations/${id}/`);
      expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: NOT_FOUND });
    });

    test('a former member gets 404 for the organization; with none left, @current is "Current organization not found."', async () => {
      ownerLeaves(store());
      expect((await api.get(`/api/organizations/${ORG}/`)).status).toBe(404);
      const res = await api.get('/api/organizations/@current/');
      expect({ status: res.status, body: res.body }).toEqual({
        status: 404,
        body: error('invalid_request', 'not_found', 'Current organization not found.'),
      });
    });
  });

  describe('GET /api/projects/ and /api/projects/{id}/ (the root project routes)', () => {
    test('the list covers every project of every organization the caller belongs to, short form, by id', async () => {
      addSecondOrganization(store(), true);
      const res = await api.get('/api/projects/');
      expect(res.status).toBe(200);
      expect(res.body.results.map((p: { id: number }) => p.id)).toEqual([1, 2, 3, SECOND_PROJECT]);
      expect(Object.keys(res.body.results[0])).toEqual(
        Object.keys((await api.get(`/api/organizations/${ORG}/projects/`)).body.results[0]),
      );
      const searched = await api.get('/api/projects/?search=SECOND');
      expect(searched.body.results.map((p: { id: number }) => p.id)).toEqual([SECOND_PROJECT]);
    });

    test('projects of an organization the caller does not belong to are not listed, and are 404', async () => {
      addSecondOrganization(store(), false);
      expect((await api.get('/api/projects/')).body.count).toBe(3);
      const res = await api.get(`/api/projects/${SECOND_PROJECT}/`);
      expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: NOT_FOUND });
    });

    test('retrieve answers the full project, with the caller’s effective_membership_level', async () => {
      const owner = await api.get('/api/projects/2/');
      expect(owner.body).toEqual((await api.get(`/api/organizations/${ORG}/projects/2/`)).body);
      expect(owner.body.effective_membership_level).toBe(15);
      expect((await api.get('/api/projects/2/', { key: KEYS.member })).body.effective_membership_level).toBe(
        1,
      );
    });

    test('@current is the caller’s current project', async () => {
      expect((await api.get('/api/projects/@current/')).body.id).toBe(1);
      await api.patch('/api/users/@me/', { set_current_team: 3 });
      expect((await api.get('/api/projects/@current')).body.id).toBe(3);
    });

    test.each([['999'], ['abc'], ['1.5']])('id %s is 404 Not found.', async (id) => {
      const res = await api.get(`/api/projects/${id}/`);
      expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: NOT_FOUND });
    });

    test('a former member sees none of the organization’s projects; @current is 404', async () => {
      ownerLeaves(store());
      expectFields((await api.get('/api/projects/')).body, { count: 0 });
      expect((await api.get('/api/projects/1/')).status).toBe(404);
      expect((await api.get('/api/projects/@current/')).status).toBe(404);
    });
  });
});

describe('strict keys: scopes and the key’s projects and organizations', () => {
  const api = useMock({ strictKeys: true, seed: { personsPerProject: 10 } });

  test('@me needs user:read, PATCH user:write; X:write implies X:read', async () => {
    expect((await api.get('/api/users/@me/', { key: FIXTURE_KEYS.readOnly })).status).toBe(200);
    const noUser = addKey(api, ['project:read']);
    expect((await api.get('/api/users/@me/', { key: noUser })).body).toEqual(missing('user:read'));
    const patched = await api.patch('/api/users/@me/', { first_name: 'Ro' }, { key: FIXTURE_KEYS.readOnly });
    expect({ status: patched.status, body: patched.body }).toEqual({
      status: 403,
      body: missing('user:write'),
    });
    const writer = addKey(api, ['user:write']);
    expect((await api.get('/api/users/@me/', { key: writer })).status).toBe(200);
  });

  test('@me ignores the key’s projects and organizations (PostHog’s scope check returns early for users)', async () => {
    for (const key of [FIXTURE_KEYS.project1, FIXTURE_KEYS.otherOrg]) {
      expect((await api.get('/api/users/@me/', { key })).body.uuid).toBe(USERS.owner);
      // and may switch to a project outside its own: the user's setting, not the key's
      expect((await api.patch('/api/users/@me/', { set_current_team: 2 }, { key })).body.team.id).toBe(2);
    }
  });

  test('@current needs no scope at all: a key with none, or unrelated ones, reads itself', async () => {
    for (const key of [addKey(api, []), addKey(api, ['feature_flag:read']), FIXTURE_KEYS.project1]) {
      const res = await api.get('/api/personal_api_keys/@current/', { key });
      expect(res.status).toBe(200);
      expect(res.body.mask_value).toBe(`phx_...${key.slice(-4)}`);
    }
  });

  test('another of the caller’s keys, by id, is refused to a key; its own id is itself', async () => {
    const keys = api.mock.app.store.user(1).personal_api_keys;
    const res = await api.get(`/api/personal_api_keys/${keys[1]!.id}/`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: NO_KEY_ACCESS });
    expect((await api.get(`/api/personal_api_keys/${keys[0]!.id}/`)).body.id).toBe(keys[0]!.id);
    expect((await api.get('/api/personal_api_keys/nope/')).body).toEqual(NOT_FOUND);
  });

  test('the key list refuses every key, whatever its scopes (session only)', async () => {
    for (const key of [KEYS.owner, addKey(api, []), FIXTURE_KEYS.readOnly]) {
      const res = await api.get('/api/personal_api_keys/', { key });
      expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: NO_KEY_ACCESS });
    }
  });

  test('an unknown key is 401 here too (no stand-in under strict keys)', async () => {
    const res = await api.get('/api/personal_api_keys/@current/', { key: 'phx_nobody' });
    expect(res.status).toBe(401);
  });

  test('organizations need organization:read', async () => {
    const key = addKey(api, ['project:read', 'user:read']);
    for (const url of ['/api/organizations/', `/api/organizations/${ORG}/`]) {
      expect((await api.get(url, { key })).body).toEqual(missing('organization:read'));
    }
  });

  test('a project-scoped key may not use organization endpoints, nor list root projects', async () => {
    for (const url of [
      '/api/organizations/',
      `/api/organizations/${ORG}/`,
      '/api/organizations/@current/',
      '/api/projects/',
    ]) {
      const res = await api.get(url, { key: FIXTURE_KEYS.project1 });
      expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: SCOPED_PROJECTS_ONLY });
    }
  });

  test('a project-scoped key may read its project, by id and as @current; another is 403 naming it', async () => {
    expect((await api.get('/api/projects/1/', { key: FIXTURE_KEYS.project1 })).body.id).toBe(1);
    expect((await api.get('/api/projects/@current/', { key: FIXTURE_KEYS.project1 })).body.id).toBe(1);
    for (const id of ['2', '999']) {
      const res = await api.get(`/api/projects/${id}/`, { key: FIXTURE_KEYS.project1 });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 403,
        body: denied(`API key does not have access to the requested project: ID ${id}.`),
      });
    }
    await api.patch('/api/users/@me/', { set_current_team: 2 });
    const current = await api.get('/api/projects/@current/', { key: FIXTURE_KEYS.project1 });
    expect(current.body).toEqual(denied('API key does not have access to the requested project: ID 2.'));
  });

  test('an organization-scoped key sees only its organizations: lists narrowed, others 404, @current outside it 403', async () => {
    const key = FIXTURE_KEYS.otherOrg;
    expectFields((await api.get('/api/organizations/', { key })).body, { count: 0, results: [] });
    expect((await api.get(`/api/organizations/${ORG}/`, { key })).body).toEqual(NOT_FOUND);
    expect((await api.get('/api/organizations/@current/', { key })).body).toEqual(
      denied(`API key does not have access to the requested organization: ID ${ORG}.`),
    );
    expectFields((await api.get('/api/projects/', { key })).body, { count: 0 });
    expect((await api.get('/api/projects/1/', { key })).body).toEqual(NOT_FOUND);
    expect((await api.get('/api/projects/@current/', { key })).body).toEqual(NOT_FOUND);
  });

  test('a key scoped to the second organization sees it and its project, not the seeded one', async () => {
    addSecondOrganization(api.mock.app.store, true);
    const key = addKey(api, ['*'], { scoped_organizations: [SECOND_ORG] });
    const orgs = (await api.get('/api/organizations/', { key })).body;
    expect(orgs.results.map((o: { id: string }) => o.id)).toEqual([SECOND_ORG]);
    const projects = (await api.get('/api/projects/', { key })).body;
    expect(projects.results.map((p: { id: number }) => p.id)).toEqual([SECOND_PROJECT]);
    expect((await api.get(`/api/projects/${SECOND_PROJECT}/`, { key })).status).toBe(200);
  });

  test('empty scoped lists mean every project and organization, as in PostHog', async () => {
    const key = addKey(api, ['*'], { scoped_teams: [], scoped_organizations: [] });
    expect((await api.get('/api/organizations/', { key })).body.count).toBe(1);
    expect((await api.get('/api/projects/2/', { key })).status).toBe(200);
  });
});
