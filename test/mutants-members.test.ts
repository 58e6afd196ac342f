import { KEYS, ORG, USERS, useMock } from './support/api';

/**
 * src/resources/members.ts (issue 11: each mutant Stryker left alive now fails here). The seed has one
 * organization and distinct join times, so the organization filters and the order of equal join times had
 * nothing to bite on: here another organization's membership, role and role membership are added.
 */
const api = useMock();
const MEMBERS = `/api/organizations/${ORG}/members`;
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';
const ENGINEERING = '0190a1b2-2001-7000-8000-000000000001';
const SUPPORT = '0190a1b2-2002-7000-8000-000000000002';
const uuids = (res: { body: { results: { user: { uuid: string } }[] } }) =>
  res.body.results.map((m) => m.user.uuid);

const userId = (uuid: string) =>
  [...api.mock.app.store.state.users.values()].find((u) => u.uuid === uuid)!.id;

test('the list holds the organization’s members only', async () => {
  const { memberships } = api.mock.app.store.state;
  const before = await api.get(`${MEMBERS}/`);
  const some = memberships.get(memberships.keys().next().value!)!;
  const fred = userId('0190a1b2-0004-7000-8000-000000000004');
  memberships.set('22222222-2222-4333-8444-555555555555', {
    ...some,
    id: '22222222-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
    user_id: fred,
  });
  const after = await api.get(`${MEMBERS}/`);
  expect(after.body).toEqual(before.body);
});

test('an admin removes another admin: levels equal to the caller’s are allowed', async () => {
  expect((await api.patch(`${MEMBERS}/${USERS.member}/`, { level: 8 })).status).toBe(200);
  const res = await api.delete(`${MEMBERS}/${USERS.member}/`, { key: KEYS.admin });
  expect(res.status).toBe(204);
  expect(uuids(await api.get(`${MEMBERS}/`))).not.toContain(USERS.member);
});

test('removing a member removes their role memberships in this organization only', async () => {
  const { roles, roleMemberships } = api.mock.app.store.state;
  const other = {
    ...roles.get(SUPPORT)!,
    id: '33333333-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
  };
  roles.set(other.id, other);
  const member = userId(USERS.member);
  const kept = { id: '44444444-2222-4333-8444-555555555555', role_id: other.id, user_id: member };
  roleMemberships.set(kept.id, { ...kept, joined_at: other.created_at, updated_at: other.created_at });
  const before = [...roleMemberships.values()];
  expect(before.filter((rm) => rm.user_id === member).map((rm) => rm.role_id)).toEqual([SUPPORT, other.id]);

  expect((await api.delete(`${MEMBERS}/${USERS.member}/`)).status).toBe(204);
  const after = [...roleMemberships.values()].map((rm) => [rm.role_id, rm.user_id]);
  expect(after).toEqual(
    before
      .filter((rm) => !(rm.user_id === member && rm.role_id === SUPPORT))
      .map((rm) => [rm.role_id, rm.user_id]),
  );
  expect(after.filter(([roleId]) => roleId === ENGINEERING)).toHaveLength(2);
});

test('members who joined at the same time keep their order, whichever way the list is ordered', async () => {
  const { memberships } = api.mock.app.store.state;
  const table = [...memberships.values()].map((m) => m.id);
  for (const id of table) memberships.get(id)!.joined_at = '2025-01-01T00:00:00.000000Z';
  const inTableOrder = [...memberships.values()].map(
    (m) => [...api.mock.app.store.state.users.values()].find((u) => u.id === m.user_id)!.uuid,
  );
  expect(inTableOrder.length).toBeGreaterThan(2);
  expect(uuids(await api.get(`${MEMBERS}/?order=joined_at`))).toEqual(inTableOrder);
  expect(uuids(await api.get(`${MEMBERS}/?order=-joined_at`))).toEqual(inTableOrder);
  expect(uuids(await api.get(`${MEMBERS}/`))).toEqual(inTableOrder);
});
