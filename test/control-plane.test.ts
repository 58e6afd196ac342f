import request from 'supertest';
import { createApp } from '../src/app';
import { startMockServer } from '../src/server';
import { checkResponse, error, KEYS, ORG } from './support/api';

const ROLES = `/api/organizations/${ORG}/roles/`;
const app = createApp({ seed: { personsPerProject: 5 } });

describe('control plane: health and reset', () => {
  test('GET /__mock/health answers without a PostHog key', async () => {
    const res = await request(app).get('/__mock/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('POST /__mock/reset returns the store to its seeded state', async () => {
    const before = app.store.snapshot();
    const created = await request(app)
      .post(ROLES)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .send({ name: 'Made in a test' });
    checkResponse('POST', ROLES, created);
    expect(created.status).toBe(201);
    expect(app.store.snapshot()).not.toEqual(before);

    const reset = await request(app).post('/__mock/reset');
    expect(reset.status).toBe(204);
    expect(app.store.snapshot()).toEqual(before);
    const gone = await request(app)
      .get(`${ROLES}${created.body.id as string}/`)
      .set('Authorization', `Bearer ${KEYS.owner}`);
    checkResponse('GET', ROLES, gone);
    expect(gone.status).toBe(404);
  });

  test('app.controls.reset() does the same from code', async () => {
    const before = app.store.snapshot();
    app.store.state.roles.clear();
    app.controls.reset();
    expect(app.store.snapshot()).toEqual(before);
  });

  test('an unknown control path answers PostHog 404 JSON', async () => {
    const res = await request(app).get('/__mock/nothing');
    expect(res.status).toBe(404);
    checkResponse('GET', '/__mock/nothing', res);
  });
});

describe('control plane options', () => {
  test('controlPlane: false leaves /__mock/ unserved (404), while the API still works', async () => {
    const off = createApp({ controlPlane: false, seed: { personsPerProject: 5 } });
    const res = await request(off).post('/__mock/reset');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(error('invalid_request', 'not_found', 'Not found.'));
    const api = await request(off).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`);
    checkResponse('GET', ROLES, api);
    expect(api.status).toBe(200);
  });

  describe('adminToken', () => {
    const guarded = createApp({ adminToken: 's3cret', seed: { personsPerProject: 5 } });

    test('no token: 401 not_authenticated', async () => {
      const res = await request(guarded).get('/__mock/health');
      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        error('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'),
      );
    });

    test('a wrong token (or a PostHog key) is 401 authentication_failed, and nothing is reset', async () => {
      guarded.store.state.roles.clear();
      for (const token of ['wrong', 's3cre', 's3crett', KEYS.owner]) {
        const res = await request(guarded).post('/__mock/reset').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual(
          error(
            'authentication_error',
            'authentication_failed',
            'Admin token in request Authorization header is invalid.',
          ),
        );
      }
      expect(guarded.store.state.roles.size).toBe(0);
    });

    test('the right token passes', async () => {
      const res = await request(guarded).post('/__mock/reset').set('Authorization', 'Bearer s3cret');
      expect(res.status).toBe(204);
      expect(guarded.store.state.roles.size).toBeGreaterThan(0);
      const health = await request(guarded).get('/__mock/health').set('Authorization', 'bearer s3cret');
      expect(health.status).toBe(200);
    });

    test('the token does not guard the API itself', async () => {
      const res = await request(guarded).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`);
      checkResponse('GET', ROLES, res);
      expect(res.status).toBe(200);
    });
  });
});

describe('MockServer', () => {
  test('apiKey is the owner key, and reset() returns the store to its start', async () => {
    const mock = await startMockServer({ seed: { personsPerProject: 5 } });
    try {
      expect(mock.apiKey).toBe(KEYS.owner);
      const before = mock.app.store.snapshot();
      const res = await request(mock.url)
        .post(ROLES)
        .set('Authorization', `Bearer ${mock.apiKey}`)
        .send({ name: 'x' });
      checkResponse('POST', ROLES, res);
      expect(res.status).toBe(201);
      mock.reset();
      expect(mock.app.store.snapshot()).toEqual(before);
    } finally {
      await mock.close();
    }
  });
});
