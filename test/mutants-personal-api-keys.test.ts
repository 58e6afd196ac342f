import { USERS, useMock } from './support/api';

/**
 * src/resources/personal-api-keys.ts (issue 11: each mutant Stryker left alive now fails here). The seed
 * gives each user one membership, and no test used a key no user has.
 */
const api = useMock();
const CURRENT = '/api/personal_api_keys/@current/';
const state = () => api.mock.app.store.state;

test('a key’s created_at is the earliest of its user’s own memberships', async () => {
  const owner = [...state().users.values()].find((u) => u.uuid === USERS.owner)!;
  const mine = [...state().memberships.values()].find((m) => m.user_id === owner.id)!;
  const other = [...state().memberships.values()].find((m) => m.user_id !== owner.id)!;
  state().memberships.get(other.id)!.joined_at = '2001-01-01T00:00:00.000000Z';
  expect((await api.get(CURRENT)).body.created_at).toBe(mine.joined_at);
  state().memberships.get(mine.id)!.joined_at = '2000-01-01T00:00:00.000000Z';
  expect((await api.get(CURRENT)).body.created_at).toBe('2000-01-01T00:00:00.000000Z');
});

test('a key no user has stands in for the owner as a labelled key with every scope', async () => {
  const res = await api.get(CURRENT, { key: 'phx_a_key_nobody_has_0000000000000000000000' });
  expect(res.status).toBe(200);
  expect([res.body.label, res.body.scopes]).toEqual(['posthog-mock stand-in key', ['*']]);
});
