import {
  collectPages,
  error,
  expectUnchanged,
  KEYS,
  NOT_FOUND,
  ORG,
  USERS,
  useMock,
  validation,
} from './support/api';

const api = useMock();
const MEMBERS = `/api/organizations/${ORG}/members`;
const denied = (detail: string) => error('authentication_error', 'permission_denied', detail);

interface Member {
  user: { uuid: string; email: string };
  level: number;
  joined_at: string;
}

describe('members', () => {
  test('list: every seeded member, newest joined first, paginated to the end', async () => {
    const res = await api.get(`${MEMBERS}/`);
    expect(res.body.count).toBe(12); // 3 fixture users + 9 from faker
    const joined = res.body.results.map((m: Member) => m.joined_at);
    expect(joined).toEqual([...joined].sort().reverse());
    const levels = Object.fromEntries(res.body.results.map((m: Member) => [m.user.email, m.level]));
    expect([
      levels['owner@hedgebox.test'],
      levels['admin@hedgebox.test'],
      levels['member@hedgebox.test'],
    ]).toEqual([15, 8, 1]);
    expect(await collectPages(api, `${MEMBERS}/?limit=4`)).toEqual(res.body.results);
  });

  test('list: order=joined_at, email and search filters', async () => {
    const asc = await api.get(`${MEMBERS}?order=joined_at`);
    const joined = asc.body.results.map((m: Member) => m.joined_at);
    expect(joined).toEqual([...joined].sort());
    const byEmail = await api.get(`${MEMBERS}?email=admin@hedgebox.test`);
    expect(byEmail.body.results.map((m: Member) => m.user.uuid)).toEqual([USERS.admin]);
    const search = await api.get(`${MEMBERS}?search=member@`);
    expect(search.body.results.map((m: Member) => m.user.uuid)).toEqual([USERS.member]);
    // search reads the first and last name too, case-insensitively
    const byFirstName = await api.get(`${MEMBERS}?search=oLIVIA`);
    expect(byFirstName.body.results.map((m: Member) => m.user.uuid)).toEqual([USERS.owner]);
    const byLastName = await api.get(`${MEMBERS}?search=admin`);
    expect(byLastName.body.results.map((m: Member) => m.user.uuid)).toEqual([USERS.admin]);
    const byLast = await api.get(`${MEMBERS}?search=${encodeURIComponent('Owner')}`);
    expect(byLast.body.results.map((m: Member) => m.user.uuid)).toEqual([USERS.owner]);
    const none = await api.get(`${MEMBERS}?search=zz-nobody-zz`);
    expect(none.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  // PostHog's OrganizationMemberViewSet: `order` other than joined_at/-joined_at falls back to -joined_at
  test.each(['level', '', 'joined_at;drop', '-email'])(
    'list: unknown order %j falls back to -joined_at, no 400',
    async (order) => {
      const fallback = await api.get(`${MEMBERS}?order=${encodeURIComponent(order)}`);
      expect(fallback.status).toBe(200);
      const newestFirst = (await api.get(`${MEMBERS}?order=-joined_at`)).body.results as Member[];
      const oldestFirst = (await api.get(`${MEMBERS}?order=joined_at`)).body.results as Member[];
      expect(newestFirst).not.toEqual(oldestFirst);
      expect(fallback.body.results).toEqual(newestFirst);
    },
  );

  // PostHog filters `user__email=<email>`: exact and case-sensitive, not a search
  test('list: email filter is an exact match', async () => {
    const ids = async (email: string) =>
      (await api.get(`${MEMBERS}?email=${encodeURIComponent(email)}`)).body.results.map(
        (m: Member) => m.user.uuid,
      );
    expect(await ids('admin@hedgebox.test')).toEqual([USERS.admin]);
    expect(await ids('ADMIN@hedgebox.test')).toEqual([]);
    expect(await ids('admin@')).toEqual([]);
    expect(await ids('admin@hedgebox.test ')).toEqual([]);
    expect(await ids('')).toEqual([]);
  });

  test('an admin promotes a member up to their own level; it reads back', async () => {
    const res = await api.patch(`${MEMBERS}/${USERS.member}/`, { level: 8 }, { key: KEYS.admin });
    expect(res.status).toBe(200);
    expect([res.body.level, res.body.user.uuid]).toEqual([8, USERS.member]);
    const back = await api.get(`${MEMBERS}?email=member@hedgebox.test`);
    expect(back.body.results[0].level).toBe(8);
    const put = await api.put(`${MEMBERS}/${USERS.member}`, { level: '1' }, { as: 'form', key: KEYS.admin });
    expect(put.body.level).toBe(1);
  });

  test('the owner passes on ownership and becomes an admin', async () => {
    await api.patch(`${MEMBERS}/${USERS.admin}`, { level: 15 });
    const list = await api.get(`${MEMBERS}?limit=100`);
    const levels = Object.fromEntries(list.body.results.map((m: Member) => [m.user.uuid, m.level]));
    expect(levels[USERS.admin]).toBe(15);
    expect(levels[USERS.owner]).toBe(8);
  });

  test.each([
    ['own level', KEYS.admin, USERS.admin, 1, "You can't change your own access level."],
    ['own level via @me', KEYS.owner, '@me', 8, "You can't change your own access level."],
    ['a member editing others', KEYS.member, USERS.admin, 1, 'You can only edit others if you are an admin.'],
    [
      'above their own level',
      KEYS.admin,
      USERS.member,
      15,
      "You can only pass on organization ownership if you're its owner.",
    ],
    [
      'an admin demoting the owner',
      KEYS.admin,
      USERS.owner,
      1,
      'You can only edit others with level lower or equal to you.',
    ],
  ])('403 for %s', async (_name, key, uuid, level, detail) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${MEMBERS}/${uuid}`, { level }, { key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(denied(detail));
    expectUnchanged(api, before);
  });

  test('level must be 1, 8 or 15', async () => {
    const res = await api.patch(`${MEMBERS}/${USERS.member}`, { level: 3 });
    expect(res.body).toEqual(validation('invalid_choice', '"3" is not a valid choice.', 'level'));
  });

  test('DELETE removes a member (and their role memberships); the owner cannot leave', async () => {
    expect((await api.delete(`${MEMBERS}/${USERS.admin}/`)).status).toBe(204);
    expect((await api.get(`${MEMBERS}?email=admin@hedgebox.test`)).body.count).toBe(0);
    const roles = await api.get(`/api/organizations/${ORG}/roles`);
    const uuids = roles.body.results.flatMap((r: { members: Member[] }) => r.members.map((m) => m.user.uuid));
    expect(uuids).not.toContain(USERS.admin);
    const owner = await api.delete(`${MEMBERS}/@me`);
    expect(owner.status).toBe(400);
    expect(owner.body).toEqual(validation('invalid_input', 'Cannot leave the organization as its owner!'));
  });

  test('an admin cannot remove the owner, but can remove a member', async () => {
    const before = api.mock.app.store.snapshot();
    const owner = await api.delete(`${MEMBERS}/${USERS.owner}/`, { key: KEYS.admin });
    expect(owner.status).toBe(403);
    expect(owner.body).toEqual(denied('You can only edit others with level lower or equal to you.'));
    expectUnchanged(api, before);
    expect((await api.delete(`${MEMBERS}/${USERS.member}/`, { key: KEYS.admin })).status).toBe(204);
    expect((await api.get(`${MEMBERS}?email=member@hedgebox.test`)).body.count).toBe(0);
  });

  test('a member can leave, but cannot remove others', async () => {
    expect((await api.delete(`${MEMBERS}/${USERS.admin}`, { key: KEYS.member })).body).toEqual(
      denied('You can only edit others if you are an admin.'),
    );
    expect((await api.delete(`${MEMBERS}/@me`, { key: KEYS.member })).status).toBe(204);
  });

  test('scoped_api_keys answers the member, as the docs show', async () => {
    const res = await api.get(`${MEMBERS}/${USERS.member}/scoped_api_keys`);
    expect(res.body.user.uuid).toBe(USERS.member);
    expect(res.body.level).toBe(1);
  });

  test.each(['11111111-1111-4111-8111-111111111111', 'not-a-uuid'])(
    'unknown member %s → 404',
    async (uuid) => {
      for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
        expect((await api.call(method, `${MEMBERS}/${uuid}`, { body: { level: 1 } })).body).toEqual(
          NOT_FOUND,
        );
      }
      expect((await api.get(`${MEMBERS}/${uuid}/scoped_api_keys`)).body).toEqual(NOT_FOUND);
    },
  );

  test('no key → 401', async () => {
    const res = await api.get(MEMBERS, { key: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      error('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'),
    );
  });
});

describe('member details', () => {
  test('a member reads back whole: user, level, dates, 2FA, social auth, last login', async () => {
    const { state } = api.mock.app.store;
    const user = [...state.users.values()].find((u) => u.uuid === USERS.member)!;
    const membership = [...state.memberships.values()].find((m) => m.user_id === user.id)!;
    const res = await api.get(`${MEMBERS}/${USERS.member.toUpperCase()}/scoped_api_keys`);
    expect(res.body).toEqual({
      id: membership.id,
      user: {
        id: user.id,
        uuid: USERS.member,
        distinct_id: user.distinct_id,
        first_name: 'Mia',
        last_name: 'Member',
        email: 'member@hedgebox.test',
        is_email_verified: user.is_email_verified,
        hedgehog_config: user.hedgehog_config,
        role_at_organization: 'product',
      },
      level: 1,
      joined_at: membership.joined_at,
      updated_at: membership.updated_at,
      is_2fa_enabled: user.is_2fa_enabled,
      has_social_auth: user.has_social_auth,
      last_login: user.last_login,
    });
  });

  test('PATCH without a level answers the member unchanged', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${MEMBERS}/${USERS.member}/`, {}, { key: KEYS.member });
    expect(res.status).toBe(200);
    expect([res.body.user.uuid, res.body.level]).toEqual([USERS.member, 1]);
    expectUnchanged(api, before);
  });

  test('a level change moves updated_at; passing on ownership moves both members', async () => {
    const before = (await api.get(`${MEMBERS}?limit=100`)).body.results as (Member & {
      updated_at: string;
    })[];
    const at = (uuid: string) => before.find((m) => m.user.uuid === uuid)!.updated_at;
    const promoted = await api.patch(`${MEMBERS}/${USERS.member}/`, { level: 8 });
    expect(promoted.body.updated_at > at(USERS.member)).toBe(true);
    const passed = await api.patch(`${MEMBERS}/${USERS.admin}/`, { level: 15 });
    expect(passed.body.level).toBe(15);
    expect(passed.body.updated_at > at(USERS.admin)).toBe(true);
    const me = await api.patch(`${MEMBERS}/@me/`, {});
    expect([me.body.user.uuid, me.body.level]).toEqual([USERS.owner, 8]);
    expect(me.body.updated_at > at(USERS.owner)).toBe(true);
  });

  test('an admin demotes another admin-level member, but a member cannot promote', async () => {
    await api.patch(`${MEMBERS}/${USERS.member}/`, { level: 8 });
    const demoted = await api.patch(`${MEMBERS}/${USERS.member}/`, { level: 1 }, { key: KEYS.admin });
    expect([demoted.status, demoted.body.level]).toEqual([200, 1]);
    const refused = await api.patch(`${MEMBERS}/${USERS.admin}/`, { level: 8 }, { key: KEYS.member });
    expect(refused.body).toEqual(denied('You can only edit others if you are an admin.'));
  });
});
