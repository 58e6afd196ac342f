import { isoMicro } from '../src/time';
import { KEYS, ORG, USERS, useMock } from './support/api';

/**
 * src/resources/users.ts (issue 11: each mutant Stryker left alive now fails here). The seed gives each
 * user one membership and no invitation to a user's own email, so date_joined, the first user of an
 * organization and pending_invites had nothing to choose between.
 */
const api = useMock();
const ME = '/api/users/@me/';
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';
const state = () => api.mock.app.store.state;
const userOf = (uuid: string) => [...state().users.values()].find((u) => u.uuid === uuid)!;
const membershipOf = (uuid: string) =>
  [...state().memberships.values()].find((m) => m.user_id === userOf(uuid).id && m.organization_id === ORG)!;

test('the fixed fields of @me are PostHog’s for a password user without impersonation or SSO', async () => {
  const me = (await api.get(ME)).body;
  expect([me.has_password, me.is_impersonated, me.has_sso_enforcement, me.is_staff]).toEqual([
    true,
    false,
    false,
    false,
  ]);
});

test('date_joined is the earliest of the user’s own memberships', async () => {
  const owner = membershipOf(USERS.owner);
  expect((await api.get(ME)).body.date_joined).toBe(owner.joined_at);
  // another user's earlier membership changes nothing; the owner's own earlier one in another org does
  state().memberships.get(membershipOf(USERS.member).id)!.joined_at = '2001-01-01T00:00:00.000000Z';
  expect((await api.get(ME)).body.date_joined).toBe(owner.joined_at);
  state().memberships.set('22222222-2222-4333-8444-555555555555', {
    ...owner,
    id: '22222222-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
    joined_at: '2000-01-01T00:00:00.000000Z',
  });
  expect((await api.get(ME)).body.date_joined).toBe('2000-01-01T00:00:00.000000Z');
});

test('is_organization_first_user: only the member who joined the current organization first', async () => {
  state().memberships.get(membershipOf(USERS.admin).id)!.joined_at = '2001-01-01T00:00:00.000000Z';
  state().memberships.get(membershipOf(USERS.owner).id)!.joined_at = '2002-01-01T00:00:00.000000Z';
  // an earlier membership in another organization does not count
  state().memberships.set('22222222-2222-4333-8444-555555555555', {
    ...membershipOf(USERS.member),
    id: '22222222-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
    joined_at: '2000-01-01T00:00:00.000000Z',
  });
  const first = async (key: string) => (await api.get(ME, { key })).body.is_organization_first_user;
  expect([await first(KEYS.owner), await first(KEYS.admin), await first(KEYS.member)]).toEqual([
    false,
    true,
    false,
  ]);
});

test('pending_invites: valid invitations to the user’s email, newest first, with the organization’s name', async () => {
  const invites = state().invites;
  const seeded = invites.get(invites.keys().next().value!)!;
  const at = (daysAgo: number) => isoMicro(Date.now() - daysAgo * 24 * 60 * 60 * 1000);
  const invite = (n: number, email: string, created_at: string) => ({
    ...seeded,
    id: `33333333-2222-4333-8444-00000000000${n}`,
    target_email: email,
    created_at,
    updated_at: created_at,
  });
  const newest = at(1);
  invites.set('33333333-2222-4333-8444-000000000001', invite(1, 'former@hedgebox.test', at(2)));
  invites.set('33333333-2222-4333-8444-000000000002', invite(2, 'FORMER@hedgebox.test', newest));
  invites.set('33333333-2222-4333-8444-000000000003', invite(3, 'former@hedgebox.test', at(1.5)));
  invites.set('33333333-2222-4333-8444-000000000004', invite(4, 'former@hedgebox.test', at(4)));
  const me = (await api.get(ME, { key: KEYS.former })).body;
  const name = state().organizations.get(ORG)!.name;
  expect(me.pending_invites.map((i: { id: string }) => i.id.slice(-1))).toEqual(['2', '3', '1']);
  expect(me.pending_invites[0]).toEqual({
    id: '33333333-2222-4333-8444-000000000002',
    target_email: 'FORMER@hedgebox.test',
    organization_id: ORG,
    organization_name: name,
    created_at: newest,
  });
});
