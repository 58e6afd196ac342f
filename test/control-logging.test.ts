import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { maskUrl, requestLogging } from '../src/http/logging';
import { KEYS, ORG } from './support/api';

const ROLES = `/api/organizations/${ORG}/roles/`;

/** a pino logger writing into an array, one parsed JSON object per line */
function capture(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('request logging', () => {
  test('one line per request at info: method, masked URL, status, time, masked key, operation; no body, no headers', async () => {
    const { logger, lines } = capture('info');
    const app = createApp({ logger, seed: { personsPerProject: 5 } });
    await request(app).get(`${ROLES}?limit=1`).set('Authorization', `Bearer ${KEYS.owner}`);
    await request(app)
      .post(ROLES)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .send({ name: 'Logged', secret: 's' });
    await request(app).get(`${ROLES}?personal_api_key=${KEYS.member}`);
    await request(app).get('/api/nowhere/');
    await settle();
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { method: 'GET', url: `${ROLES}?limit=1` },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      key: 'phx_…_key',
      operation_id: 'roles_list',
      msg: expect.stringMatching(new RegExp(`^GET ${ROLES}\\?limit=1 200 \\d+ms$`)),
    });
    expect(lines[1]).toMatchObject({
      req: { method: 'POST' },
      res: { statusCode: 201 },
      operation_id: 'roles_create',
    });
    expect(lines[1]!.req as object).not.toHaveProperty('body');
    expect(lines[2]).toMatchObject({ req: { url: `${ROLES}?personal_api_key=phx_…_key` }, key: 'phx_…_key' });
    expect(lines[3]).toMatchObject({ res: { statusCode: 404 }, operation_id: null, key: null });
    const text = JSON.stringify(lines);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
    expect(text).not.toContain('Logged');
    expect(text).not.toMatch(/authorization|headers/i);
  });

  test('health checks are logged at debug only, so a container probing every few seconds stays quiet at info', async () => {
    const info = capture('info');
    const app = createApp({ logger: info.logger, seed: { personsPerProject: 5 } });
    await request(app).get('/_health');
    await request(app).get('/__mock/health');
    await settle();
    expect(info.lines).toEqual([]);
    const debug = capture('debug');
    const app2 = createApp({ logger: debug.logger, seed: { personsPerProject: 5 } });
    await request(app2).get('/_health');
    await settle();
    expect(debug.lines).toHaveLength(1);
    expect(debug.lines[0]).toMatchObject({ level: 20, req: { url: '/_health' }, res: { statusCode: 200 } });
  });

  test('info level never has a body', async () => {
    const { logger, lines } = capture('info');
    const app = createApp({ logger, seed: { personsPerProject: 5 } });
    await request(app).post(ROLES).set('Authorization', `Bearer ${KEYS.owner}`).send({ name: 'Quiet' });
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('body');
  });

  test('debug level adds the body, key masked and size capped', async () => {
    const { logger, lines } = capture('debug');
    const app = createApp({ logger, seed: { personsPerProject: 5 } });
    await request(app)
      .post(`/api/projects/1/persons/1/split/`)
      .send({ personal_api_key: KEYS.admin, main_distinct_id: 'x' });
    await request(app)
      .post(ROLES)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .send({ name: 'y'.repeat(5000) });
    await settle();
    const bodies = lines.filter((l) => l.body !== undefined).map((l) => l.body);
    expect(bodies).toHaveLength(2);
    expect(JSON.stringify(bodies[0])).not.toContain(KEYS.admin);
    expect(bodies[1]).toEqual({ truncated: true, length: expect.any(Number) });
  });

  test('a forced 5xx is logged at error level', async () => {
    const { logger, lines } = capture('info');
    const app = createApp({ logger, seed: { personsPerProject: 5 } });
    await request(app).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`).set('Prefer', 'code=503');
    await settle();
    expect(lines).toEqual([expect.objectContaining({ level: 50, res: { statusCode: 503 } })]);
  });

  test('silent by default: createApp builds no logger and writes nothing', async () => {
    expect(requestLogging({})).toBeUndefined();
    expect(requestLogging({ logLevel: 'silent' })).toBeUndefined();
    expect(() => requestLogging({ logLevel: 'loud' as 'info' })).toThrow(/logLevel must be one of/);
    const write = jest.spyOn(process.stdout, 'write');
    try {
      const app = createApp({ seed: { personsPerProject: 5 } });
      await request(app).get(ROLES).set('Authorization', `Bearer ${KEYS.owner}`);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  test('maskUrl masks every personal_api_key in a URL', () => {
    expect(maskUrl('/api/x/?a=1&personal_api_key=phx_abcdefghijklmnop1234&b=2')).toBe(
      '/api/x/?a=1&personal_api_key=phx_…1234&b=2',
    );
    expect(maskUrl('/api/x/?personal_api_key=%ZZ')).toBe('/api/x/?personal_api_key=…');
  });
});
