import {
  collectPages,
  expectUnchanged,
  KEYS,
  NOT_FOUND,
  ORG,
  USERS,
  useMock,
  validation,
  error,
} from './support/api';

const api = useMock();
const ROLES = `/api/organizations/${ORG}/roles`;
const ENGINEERING = '0190a1b2-2001-7000-8000-000000000001';
const SUPPORT = '0190a1b2-2002-7000-8000-000000000002';

describe('roles', () => {
  test('list returns the seeded roles with their members, paginated', async () => {
    const res = await api.get(`${ROLES}/`);
    expect(res.body.count).toBe(4);
    expect(res.body.next).toBeNull();
    const engineering = res.body.results.find((r: { id: string }) => r.id === ENGINEERING);
    expect(engineering.name).toBe('Engineering');
    expect(engineering.members.map((m: { user: { uuid: string } }) => m.user.uuid).sort()).toEqual(
      [USERS.owner, USERS.admin].sort(),
    );
    expect(engineering.created_by.email).toBe('owner@hedgebox.test');
  });

  test('pagination links are absolute, alphabetical and followed to the end', async () => {
    const first = await api.get(`${ROLES}/?offset=0&limit=3`);
    expect(first.body.results).toHaveLength(3);
    expect(first.body.next).toBe(`${api.mock.url}${ROLES}/?limit=3&offset=3`);
    expect(first.body.previous).toBeNull();
    const second = await api.get(`${ROLES}/?limit=3&offset=3`);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toBe(`${api.mock.url}${ROLES}/?limit=3`);
    const all = await collectPages(api, `${ROLES}/?limit=1`);
    expect(all).toHaveLength(4);
  });

  test('create answers 201 and the role reads back', async () => {
    const res = await api.post(`${ROLES}/`, { name: 'Data team', id: 'ignored', members: 'ignored' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Data team',
      created_at: expect.any(String),
      created_by: expect.objectContaining({ uuid: USERS.owner }),
      members: [],
      is_default: false,
      associated_flags: [],
      feature_flags_access_level: null,
    });
    expect(res.body.created_by.uuid).toBe(USERS.owner);
    const back = await api.get(`${ROLES}/${res.body.id}/`);
    expect(back.body).toEqual(res.body);
  });

  test('create accepts form and multipart bodies', async () => {
    const form = await api.post(`${ROLES}/`, { name: 'Form role' }, { as: 'form' });
    expect(form.status).toBe(201);
    const multipart = await api.post(`${ROLES}/`, { name: 'Multipart role' }, { as: 'multipart' });
    expect(multipart.status).toBe(201);
    expect(multipart.body.name).toBe('Multipart role');
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'name')],
    [{ name: '' }, validation('blank', 'This field may not be blank.', 'name')],
    [{ name: null }, validation('null', 'This field may not be null.', 'name')],
    [
      { name: 'x'.repeat(201) },
      validation('max_length', 'Ensure this field has no more than 200 characters.', 'name'),
    ],
    [{ name: 'engineering' }, validation('unique', 'There is already a role with this name.', 'name')],
    [{ name: ['a'] }, validation('invalid_input', 'Not a valid string.', 'name')],
  ])('create rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${ROLES}/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('every role and role-membership write needs admin level: members are refused, admins are not', async () => {
    const denied = error(
      'authentication_error',
      'permission_denied',
      'You need to have admin level or higher.',
    );
    const seededMembership = [...api.mock.app.store.state.roleMemberships.values()].find(
      (m) => m.role_id === SUPPORT,
    )!;
    expect(seededMembership).toBeDefined();
    const writes = [
      ['POST', `${ROLES}/`, { name: 'Nope' }, 201],
      ['PUT', `${ROLES}/${ENGINEERING}/`, { name: 'Renamed by PUT' }, 200],
      ['PATCH', `${ROLES}/${ENGINEERING}/`, { name: 'Renamed by PATCH' }, 200],
      ['POST', `${ROLES}/${ENGINEERING}/role_memberships/`, { user_uuid: USERS.member }, 201],
      ['DELETE', `${ROLES}/${SUPPORT}/role_memberships/${seededMembership.id}/`, undefined, 204],
      ['DELETE', `${ROLES}/${ENGINEERING}/`, undefined, 204],
    ] as const;
    const before = api.mock.app.store.snapshot();
    for (const [method, url, body] of writes) {
      const res = await api.call(method, url, { key: KEYS.member, body });
      expect([method, url, res.status, res.body]).toEqual([method, url, 403, denied]);
    }
    expectUnchanged(api, before);
    for (const [method, url, body, status] of writes) {
      const res = await api.call(method, url, { key: KEYS.admin, body });
      expect([method, url, res.status]).toEqual([method, url, status]);
    }
    // reading stays open to members
    expect((await api.get(`${ROLES}/`, { key: KEYS.member })).status).toBe(200);
  });

  test('PUT replaces, PATCH changes only the name, and a role may keep its own name', async () => {
    const put = await api.put(`${ROLES}/${SUPPORT}`, { name: 'Customer Support' });
    expect(put.body.name).toBe('Customer Support');
    const same = await api.patch(`${ROLES}/${SUPPORT}/`, { name: 'customer support' });
    expect(same.status).toBe(200);
    expect(same.body.members).toHaveLength(1);
    const clash = await api.patch(`${ROLES}/${SUPPORT}/`, { name: 'ENGINEERING' });
    expect(clash.body).toEqual(validation('unique', 'There is already a role with this name.', 'name'));
    const missing = await api.put(`${ROLES}/${SUPPORT}/`, {});
    expect(missing.body).toEqual(validation('required', 'This field is required.', 'name'));
    expect((await api.get(`${ROLES}/${SUPPORT}/`)).body.name).toBe('customer support');
  });

  test('unknown and malformed role ids are 404', async () => {
    for (const id of ['0190a1b2-2999-7000-8000-000000000009', 'not-a-uuid']) {
      expect((await api.get(`${ROLES}/${id}/`)).body).toEqual(NOT_FOUND);
      expect((await api.patch(`${ROLES}/${id}/`, { name: 'x' })).status).toBe(404);
      expect((await api.delete(`${ROLES}/${id}/`)).status).toBe(404);
    }
  });

  test('DELETE answers 204 and the role and its memberships are gone', async () => {
    const res = await api.delete(`${ROLES}/${ENGINEERING}/`);
    expect(res.status).toBe(204);
    expect((await api.get(`${ROLES}/${ENGINEERING}/`)).status).toBe(404);
    expect((await api.get(`${ROLES}/`)).body.count).toBe(3);
    expect(
      [...api.mock.app.store.state.roleMemberships.values()].some((m) => m.role_id === ENGINEERING),
    ).toBe(false);
  });
});

describe('role memberships', () => {
  const memberships = (role: string) => `${ROLES}/${role}/role_memberships`;

  test('list the role members', async () => {
    const res = await api.get(`${memberships(SUPPORT)}/`);
    expect(res.body.count).toBe(1);
    expect(res.body.results[0].role_id).toBe(SUPPORT);
    expect(res.body.results[0].user.uuid).toBe(USERS.member);
    expect(res.body.results[0].organization_member.level).toBe(1);
  });

  test('create adds a member, reflected in the role; delete removes it', async () => {
    const created = await api.post(`${memberships(SUPPORT)}/`, { user_uuid: USERS.admin });
    expect(created.status).toBe(201);
    expect(created.body.user.uuid).toBe(USERS.admin);
    const role = await api.get(`${ROLES}/${SUPPORT}/`);
    expect(role.body.members.map((m: { id: string }) => m.id)).toContain(created.body.id);
    const removed = await api.delete(`${memberships(SUPPORT)}/${created.body.id}/`);
    expect(removed.status).toBe(204);
    expect((await api.get(`${memberships(SUPPORT)}/`)).body.count).toBe(1);
    expect((await api.delete(`${memberships(SUPPORT)}/${created.body.id}/`)).body).toEqual(NOT_FOUND);
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'user_uuid')],
    [{ user_uuid: 'nope' }, validation('invalid_input', 'Must be a valid UUID.', 'user_uuid')],
    [
      { user_uuid: '0190a1b2-0009-7000-8000-000000000009' },
      validation('invalid_input', 'User does not exist.'),
    ],
    [{ user_uuid: USERS.member }, validation('invalid_input', 'User is already part of the role.')],
  ])('create rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${memberships(SUPPORT)}/`, body);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('memberships of an unknown role are 404', async () => {
    const res = await api.get(`${memberships('0190a1b2-2999-7000-8000-000000000009')}/`);
    expect(res.body).toEqual(NOT_FOUND);
  });

  test('memberships answer only list, create and delete', async () => {
    const res = await api.call('PATCH', `${memberships(SUPPORT)}/`, { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
  });
});

describe('role details', () => {
  test('a role membership reads back whole', async () => {
    const { state } = api.mock.app.store;
    const rm = [...state.roleMemberships.values()].find((m) => m.role_id === SUPPORT)!;
    const user = state.users.get(rm.user_id)!;
    const res = await api.get(`${ROLES}/${SUPPORT}/role_memberships/`);
    expect(res.body.results).toEqual([
      {
        id: rm.id,
        role_id: SUPPORT,
        organization_member: expect.objectContaining({
          user: expect.objectContaining({ uuid: user.uuid }),
          level: 1,
        }),
        user: expect.objectContaining({ uuid: user.uuid, email: user.email, first_name: user.first_name }),
        joined_at: rm.joined_at,
        updated_at: rm.updated_at,
      },
    ]);
  });

  test('feature_flags_access_level is written by create and PATCH; ids are case-insensitive', async () => {
    const created = await api.post(`${ROLES}/`, { name: 'Flags', feature_flags_access_level: 21 });
    expect(created.body.feature_flags_access_level).toBe(21);
    const patched = await api.patch(`${ROLES}/${created.body.id.toUpperCase()}/`, {
      feature_flags_access_level: 37,
    });
    expect([patched.body.name, patched.body.feature_flags_access_level]).toEqual(['Flags', 37]);
    const renamed = await api.patch(`${ROLES}/${created.body.id}/`, { name: 'Flag team' });
    expect([renamed.body.name, renamed.body.feature_flags_access_level]).toEqual(['Flag team', 37]);
    expect((await api.get(`${ROLES}/${created.body.id}/`)).body).toEqual(renamed.body);
  });

  test('list filters by exact field values', async () => {
    const res = await api.get(`${ROLES}/?name=Support`);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([SUPPORT]);
    expect(res.body.count).toBe(1);
    expect((await api.get(`${ROLES}/?name=support`)).body.count).toBe(0);
    expect((await api.get(`${ROLES}/?limit=10`)).body.count).toBe(4);
  });
});

describe('roles of another organization', () => {
  const OTHER_ORG = '11111111-2222-4333-8444-555555555555';

  test('are neither listed nor found, and their memberships neither', async () => {
    const role = api.mock.app.store.state.roles.get(SUPPORT)!;
    const rm = [...api.mock.app.store.state.roleMemberships.values()].find((m) => m.role_id === SUPPORT)!;
    // a membership reached through the wrong role is not found
    expect((await api.delete(`${ROLES}/${ENGINEERING}/role_memberships/${rm.id}/`)).body).toEqual(NOT_FOUND);
    role.organization_id = OTHER_ORG;
    expect((await api.get(`${ROLES}/`)).body.count).toBe(3);
    expect((await api.get(`${ROLES}/${SUPPORT}/`)).body).toEqual(NOT_FOUND);
    expect((await api.patch(`${ROLES}/${SUPPORT}/`, { name: 'x' })).body).toEqual(NOT_FOUND);
    // its name no longer clashes in this organization
    expect((await api.post(`${ROLES}/`, { name: 'Support' })).status).toBe(201);
  });

  test('a user already in a role with several members is refused again', async () => {
    const members = (await api.get(`${ROLES}/${ENGINEERING}/role_memberships/`)).body.results;
    expect(members.length).toBeGreaterThan(1);
    const res = await api.post(`${ROLES}/${ENGINEERING}/role_memberships/`, { user_uuid: USERS.admin });
    expect(res.body).toEqual(validation('invalid_input', 'User is already part of the role.'));
  });
});
