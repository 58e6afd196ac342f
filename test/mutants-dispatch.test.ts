import request from 'supertest';
import { error, KEYS, ORG, useMock } from './support/api';

/**
 * src/http/dispatch.ts, behaviour by behaviour (issue 11: each mutant Stryker left alive now fails here).
 * The key's scopes are checked only under strictKeys, against the project or organization in the path;
 * the full matrix is test/scopes.test.ts, this file keeps the cases the dispatcher decides.
 */

const READ_ONLY = 'phx_mock_read_only_personal_api_key';
const PROJECT_1 = 'phx_mock_project_1_personal_api_key';
const OTHER_ORG = 'phx_mock_other_org_personal_api_key';
const ROLES = `/api/organizations/${ORG}/roles/`;
const PERMISSION_DENIED = error(
  'authentication_error',
  'permission_denied',
  'You do not have permission to perform this action.',
);

describe('without strictKeys', () => {
  const api = useMock({ seed: { personsPerProject: 5 } });

  test('a key with restricted scopes and projects is not checked: it writes and reads anywhere', async () => {
    const role = await api.post(ROLES, { name: 'Loose' }, { key: READ_ONLY });
    expect(role.status).toBe(201);
    expect((await api.get('/api/projects/2/persons/', { key: PROJECT_1 })).status).toBe(200);
    expect((await api.get(ROLES, { key: OTHER_ORG })).status).toBe(200);
  });
});

describe('with strictKeys', () => {
  const api = useMock({ strictKeys: true, seed: { personsPerProject: 5 } });

  test('the project in the path is resolved before the key is checked against it', async () => {
    expect((await api.get('/api/projects/1/persons/', { key: PROJECT_1 })).status).toBe(200);
    const other = await api.get('/api/projects/2/persons/', { key: PROJECT_1 });
    expect([other.status, other.body]).toEqual([403, PERMISSION_DENIED]);
  });

  test('the organization in the path is resolved before the key is checked against it', async () => {
    const res = await api.get(ROLES, { key: OTHER_ORG });
    expect([res.status, res.body]).toEqual([403, PERMISSION_DENIED]);
  });

  test('a read-only key reads, and its write is refused before anything is written', async () => {
    expect((await api.get(ROLES, { key: READ_ONLY })).status).toBe(200);
    const before = api.mock.app.store.snapshot();
    const res = await api.post(ROLES, { name: 'Refused' }, { key: READ_ONLY });
    expect(res.status).toBe(403);
    expect(api.mock.app.store.snapshot()).toEqual(before);
  });

  test('the owner’s key is not restricted', async () => {
    expect((await api.post(ROLES, { name: 'Allowed' }, { key: KEYS.owner })).status).toBe(201);
  });
});

describe('answers', () => {
  const api = useMock({ seed: { personsPerProject: 5 } });

  test('a raw answer keeps its own content type', async () => {
    const res = await request(api.mock.url)
      .get('/api/projects/1/pipeline_destination_configs/1/frontend/')
      .set('Authorization', `Bearer ${KEYS.owner}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.text).toMatch(/^export function getFrontendApp/);
  });

  test('a 204 answer has no body and no content type', async () => {
    const role = await api.post(ROLES, { name: 'Gone' });
    const res = await api.delete(`${ROLES}${role.body.id}/`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers['content-type']).toBeUndefined();
  });

  test('a form body reaches the handler’s own validation as a form: JSON text in an object field is decoded', async () => {
    const res = await api.post(
      '/api/projects/1/pipeline_destination_configs/3/job/',
      { job: JSON.stringify({ type: 'Force flush', payload: { a: 1 } }) },
      { as: 'form' },
    );
    expect(res.status).toBe(200);
    expect(api.mock.app.store.state.pluginConfigs.get(3)!.jobs_run.at(-1)).toMatchObject({
      type: 'Force flush',
      payload: { a: 1 },
    });
  });

  test('an unexpected error is logged with its cause; PostHog errors (4xx) are not logged', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const cause = new Error('secret internals');
    const thrown = jest.spyOn(api.mock.app.store, 'organization').mockImplementation(() => {
      throw cause;
    });
    try {
      expect((await api.get(ROLES)).status).toBe(500);
      thrown.mockRestore();
      expect((await api.get(`${ROLES}0190a1b2-ffff-7000-8000-000000000000/`)).status).toBe(404);
      expect((await api.post(ROLES, { name: '' })).status).toBe(400);
      expect((await api.get(ROLES, { key: null })).status).toBe(401);
      expect(logged.mock.calls).toEqual([['posthog-mock: unexpected error', cause]]);
    } finally {
      thrown.mockRestore();
      logged.mockRestore();
    }
  });
});
