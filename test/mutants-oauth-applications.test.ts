import type { OAuthApplication } from '../src/store/types';
import { ORG, useMock } from './support/api';

/**
 * src/resources/oauth-applications.ts (issue 11: each mutant Stryker left alive now fails here). The seed
 * has one application in one organization, so the list's filter and order had nothing to bite on: here a
 * second application of the organization and one of another organization are added to the store.
 */
const api = useMock();

test('the list holds the organization’s applications only, newest first', async () => {
  const apps = api.mock.app.store.state.oauthApplications;
  const seeded = [...apps.values()][0]!;
  expect(seeded.organization_id).toBe(ORG);
  const later = new Date(Date.parse(seeded.created) + 60_000).toISOString();
  const app = (id: string, organization_id: string, name: string): OAuthApplication => ({
    ...seeded,
    id,
    organization_id,
    name,
    client_id: `client_${name}`,
    created: later,
    updated: later,
  });
  apps.set('0190a1b2-4001-7000-8000-000000000002', app('0190a1b2-4001-7000-8000-000000000002', ORG, 'newer'));
  apps.set(
    '0190a1b2-4001-7000-8000-000000000003',
    app('0190a1b2-4001-7000-8000-000000000003', '11111111-89ab-4def-8123-456789abcdef', 'elsewhere'),
  );

  const res = await api.get(`/api/organizations/${ORG}/oauth_applications/`);
  expect(res.status).toBe(200);
  expect(res.body.count).toBe(2);
  expect(res.body.results.map((a: { name: string }) => a.name)).toEqual(['newer', seeded.name]);
  expect(res.body.results[1]).toEqual({
    id: seeded.id,
    name: seeded.name,
    client_id: seeded.client_id,
    redirect_uris_list: seeded.redirect_uris_list,
    is_verified: seeded.is_verified,
    created: seeded.created,
    updated: seeded.updated,
  });
});
