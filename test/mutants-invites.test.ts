import { isoMicro } from '../src/time';
import { expectUnchanged, ORG, useMock, validation } from './support/api';

/**
 * src/resources/invites.ts (issue 11: each mutant Stryker left alive now fails here). The seed has one
 * organization, so the rules that look only inside the request's organization had nothing outside it to
 * ignore: here another organization's invite, membership and project are added to the store.
 */
const api = useMock();
const INVITES = `/api/organizations/${ORG}/invites`;
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';
const EXPIRY_MS = 3 * 24 * 60 * 60 * 1000;

afterEach(() => jest.restoreAllMocks());

test('an invite is expired only once it is strictly older than 3 days', async () => {
  const { invites } = api.mock.app.store.state;
  const invite = invites.get(invites.keys().next().value!)!;
  const at = Date.now();
  invite.created_at = isoMicro(at - EXPIRY_MS);
  const expired = async (id: string) =>
    (await api.get(`${INVITES}/`)).body.results.find((i: { id: string }) => i.id === id).is_expired;
  jest.spyOn(Date, 'now').mockReturnValue(at);
  expect(await expired(invite.id)).toBe(false);
  jest.spyOn(Date, 'now').mockReturnValue(at + 1);
  expect(await expired(invite.id)).toBe(true);
});

test('the list holds the organization’s invites only', async () => {
  const { invites } = api.mock.app.store.state;
  const before = (await api.get(`${INVITES}/`)).body;
  const moved = invites.get(before.results[0].id)!;
  moved.organization_id = OTHER_ORG;
  const after = (await api.get(`${INVITES}/`)).body;
  expect(after.count).toBe(before.count - 1);
  expect(after.results).toEqual(before.results.slice(1));
});

test('a membership in another organization does not stop an invite', async () => {
  const { memberships, users } = api.mock.app.store.state;
  const fred = [...users.values()].find((u) => u.email === 'former@hedgebox.test')!;
  const some = memberships.get(memberships.keys().next().value!)!;
  memberships.set('22222222-2222-4333-8444-555555555555', {
    ...some,
    id: '22222222-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
    user_id: fred.id,
  });
  const res = await api.post(INVITES, { target_email: 'Former@Hedgebox.test' });
  expect(res.status).toBe(201);
  expect(res.body.target_email).toBe('Former@Hedgebox.test');
});

test('private_project_access cannot name another organization’s project', async () => {
  const { projects } = api.mock.app.store.state;
  projects.set(999, { ...projects.get(1)!, id: 999, organization: OTHER_ORG });
  const before = api.mock.app.store.snapshot();
  const res = await api.post(INVITES, {
    target_email: 'new@hedgebox.test',
    private_project_access: [{ id: 999, level: 1 }],
  });
  expect([res.status, res.body]).toEqual([
    400,
    validation('invalid_input', 'Project 999 does not exist.', 'private_project_access'),
  ]);
  expectUnchanged(api, before);
});

test('an invite without a first name stores an empty one', async () => {
  const res = await api.post(INVITES, { target_email: 'new@hedgebox.test' });
  expect(res.status).toBe(201);
  expect(res.body.first_name).toBe('');
  expect(api.mock.app.store.state.invites.get(res.body.id)!.first_name).toBe('');
});
