import request from 'supertest';
import { createApp } from '../src/app';
import { compileGlob } from '../src/control/glob';
import { parsePrefer } from '../src/control/faults';
import { KEYS } from './support/api';

describe('path globs', () => {
  test.each([
    ['/api/projects/*/persons', '/api/projects/1/persons/', true],
    ['/api/projects/*/persons', '/api/projects/1/persons', true],
    ['/api/projects/*/persons/', '/api/projects/1/persons', true],
    ['/api/projects/*/persons', '/api/projects/1/2/persons/', false],
    ['/api/projects/**', '/api/projects/1/persons/5/split/', true],
    ['/api/projects/**', '/api/projects', false],
    ['/api/**/persons', '/api/projects/1/persons/', true],
    ['/api/**/persons', '/api/organizations/x/roles/', false],
    ['/api/projects/?/persons', '/api/projects/1/persons/', true],
    ['/api/projects/?/persons', '/api/projects/12/persons/', false],
    ['/api/projects/*', '/api/projects/', true],
    ['/api/roles.list', '/api/rolesXlist', false],
    ['/api/(a|b)+', '/api/(a|b)+', true],
    ['/', '/', true],
    ['/**', '/anything/at/all', true],
  ])('%s ~ %s → %s', (glob, path, expected) => {
    expect(compileGlob(glob).test(path)).toBe(expected);
  });

  test('a glob full of wildcards against a long path answers quickly (no backtracking)', () => {
    const glob = compileGlob(`/${'**a'.repeat(160)}b`);
    const path = `/${'a'.repeat(8000)}`;
    const start = performance.now();
    expect(glob.test(path)).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  test('hostile globs over HTTP: a journal filter and a fault rule answer quickly', async () => {
    const app = createApp({ seed: { personsPerProject: 5 } });
    const long = `/api/${'a'.repeat(4000)}/`;
    await request(app).get(long).set('Authorization', `Bearer ${KEYS.owner}`);
    const hostile = `/${'**a'.repeat(160)}b`;
    const start = performance.now();
    const res = await request(app).get(`/__mock/requests?path=${encodeURIComponent(hostile)}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(0);
    const rule = await request(app).post('/__mock/faults').send({ path: hostile, status: 503 });
    expect(rule.status).toBe(201);
    const served = await request(app).get(long).set('Authorization', `Bearer ${KEYS.owner}`);
    expect(served.status).toBe(404);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('Prefer parsing', () => {
  test('code and delay, quoted or not, among other preferences; the last of each wins', () => {
    expect(parsePrefer('return=minimal, code=503')).toEqual({ code: 503 });
    expect(parsePrefer('code="429"; delay=10')).toEqual({ code: 429, delay: 10 });
    expect(parsePrefer(['delay=5', 'code=500, code=502'])).toEqual({ code: 502, delay: 5 });
    expect(parsePrefer('respond-async, wait=10')).toEqual({});
  });

  test('a long hostile value is refused quickly, and quoted back only in part', () => {
    const start = performance.now();
    expect(() => parsePrefer(`code=${' '.repeat(10_000)}x"`)).toThrow(/got "x""/);
    expect(() => parsePrefer(`delay="${'9'.repeat(10_000)}"`)).toThrow(/got "9{20}…"/);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
