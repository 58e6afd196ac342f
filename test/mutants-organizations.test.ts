import { organizationsOf, projectsOf, slugOf } from '../src/resources/organizations';
import { ORG, USERS, useMock } from './support/api';

/**
 * src/resources/organizations.ts (issue 11: each mutant Stryker left alive now fails here). The seed has
 * one organization, projects made in id order and a slug-friendly name, so the order of organizations and
 * projects, the member count's filter and the slug's edges had nothing to bite on.
 */
const api = useMock();
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';
const state = () => api.mock.app.store.state;

test('slugOf: lower case, runs of anything else as one dash, none at the ends, a fallback when empty', () => {
  expect(slugOf('Hedgebox Inc.')).toBe('hedgebox-inc');
  expect(slugOf('  --Big  Hog!!--  ')).toBe('big-hog');
  expect(slugOf('!!!')).toBe('organization');
  expect(slugOf(`${'a'.repeat(60)}`)).toBe('a'.repeat(48));
});

test('projectsOf: the organization’s projects only, by id whatever order they were stored in', () => {
  const { projects } = state();
  const base = projects.get(1)!;
  projects.set(10, { ...base, id: 10 });
  projects.set(5, { ...base, id: 5 });
  projects.set(7, { ...base, id: 7, organization: OTHER_ORG });
  expect(projectsOf(api.mock.app.store, ORG).map((p) => p.id)).toEqual([1, 2, 3, 5, 10]);
});

test('organizationsOf: the user’s organizations in the order they joined them; member_count counts one organization', async () => {
  const { memberships, organizations, users } = state();
  const owner = [...users.values()].find((u) => u.uuid === USERS.owner)!;
  const mine = [...memberships.values()].find((m) => m.user_id === owner.id)!;
  organizations.set(OTHER_ORG, { ...organizations.get(ORG)!, id: OTHER_ORG, name: 'Other' });
  memberships.set('22222222-2222-4333-8444-555555555555', {
    ...mine,
    id: '22222222-2222-4333-8444-555555555555',
    organization_id: OTHER_ORG,
    joined_at: '2000-01-01T00:00:00.000000Z',
  });
  expect(organizationsOf(api.mock.app.store, owner).map((o) => o.id)).toEqual([OTHER_ORG, ORG]);
  memberships.get('22222222-2222-4333-8444-555555555555')!.joined_at = '2999-01-01T00:00:00.000000Z';
  expect(organizationsOf(api.mock.app.store, owner).map((o) => o.id)).toEqual([ORG, OTHER_ORG]);
  const count = [...memberships.values()].filter((m) => m.organization_id === ORG).length;
  expect((await api.get(`/api/organizations/${ORG}/`)).body.member_count).toBe(count);
});
