import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp, type AppOptions } from '../src/app';
import { LOGGED_BODY_LIMIT, maskUrl, requestLogging } from '../src/http/logging';
import { checkResponse, KEYS, ORG } from './support/api';

/**
 * src/http/logging.ts, behaviour by behaviour (issue 11: each mutant Stryker left alive now fails here).
 * The main cases (one line per request, health at debug, bodies at debug only) are in control-logging.
 */

const ROLES = `/api/organizations/${ORG}/roles/`;
const OWNER = `Bearer ${KEYS.owner}`;

/** a pino logger writing into an array, one parsed JSON object per line */
function capture(level: string): { logger: pino.Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, raw };
}

const settle = () => new Promise((r) => setImmediate(r));

/** an app logging into an array; every response is schema-checked */
function logged(level: string, options: AppOptions = {}) {
  const { logger, lines, raw } = capture(level);
  const app = createApp({ logger, seed: { personsPerProject: 5 }, ...options });
  const call = async (method: 'get' | 'post' | 'head', url: string, build = (r: request.Test) => r) => {
    const res = await build(request(app)[method](url));
    if (method !== 'head' && url.startsWith('/api/')) checkResponse(method.toUpperCase(), url, res);
    await settle();
    return res;
  };
  return { lines, raw, call };
}

describe('maskUrl', () => {
  test('masks every personal_api_key, after ? or &, decoding + and %XX first', () => {
    expect(maskUrl(`/x/?personal_api_key=${KEYS.owner}&personal_api_key=${KEYS.admin}`)).toBe(
      '/x/?personal_api_key=phx_…_key&personal_api_key=phx_…_key',
    );
    expect(maskUrl('/x/?personal_api_key=phx_abc+def%2Bghi%20jkl9')).toBe('/x/?personal_api_key=phx_…jkl9');
    expect(maskUrl('/x/?personal_api_key=phx_abcdefghijklmnop1234#frag')).toBe(
      '/x/?personal_api_key=phx_…1234#frag',
    );
    // the key is decoded before it is masked: escapes and + change what its last characters are
    expect(maskUrl('/x/?personal_api_key=phx_%41%42%43%44%45%46%47%48%49%4A%4B%4C')).toBe(
      '/x/?personal_api_key=phx_…IJKL',
    );
    expect(maskUrl('/x/?personal_api_key=phx_abcdefghij+k+l')).toBe('/x/?personal_api_key=phx_…%20k%20l');
    // only that parameter, only as a whole name
    expect(maskUrl('/x/?my_personal_api_key=phx_abcdefghijklmnop1234')).toBe(
      '/x/?my_personal_api_key=phx_abcdefghijklmnop1234',
    );
    expect(maskUrl('/personal_api_key=phx_abcdefghijklmnop1234')).toBe(
      '/personal_api_key=phx_abcdefghijklmnop1234',
    );
    // characters of the masked key that a URL cannot hold are escaped
    expect(maskUrl('/x/?personal_api_key=a%20b')).toBe(
      '/x/?personal_api_key=%E2%80%A6'.replace('%E2%80%A6', '…'),
    );
  });
});

describe('requestLogging options', () => {
  test('a logger of your own is used even when logLevel says silent', async () => {
    const { logger, lines } = capture('info');
    expect(requestLogging({ logger, logLevel: 'silent' })).toBeDefined();
    const app = createApp({ logger, logLevel: 'silent', seed: { personsPerProject: 5 } });
    await request(app).get(ROLES).set('Authorization', OWNER);
    await settle();
    expect(lines).toHaveLength(1);
  });

  test('logLevel without a logger builds the default one: JSON lines named posthog-mock on stdout', async () => {
    const { logger: sink, raw } = capture('debug');
    const destination = jest
      .spyOn(pino, 'destination')
      .mockImplementation(
        () => (sink as unknown as { [k: symbol]: unknown })[pino.symbols.streamSym] as never,
      );
    try {
      const app = createApp({ logLevel: 'warn', seed: { personsPerProject: 5 } });
      expect(destination).toHaveBeenCalledWith({ fd: 1, sync: false });
      await request(app).get(ROLES).set('Authorization', OWNER);
      await request(app).get(ROLES).set('Authorization', OWNER).set('Prefer', 'code=503');
      await settle();
      expect(raw.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ level: 50, name: 'posthog-mock', res: { statusCode: 503 } }),
      ]);
    } finally {
      destination.mockRestore();
    }
  });

  test('on a terminal the default logger writes pino-pretty lines: one line each, coloured, at once', async () => {
    const written: string[] = [];
    const writeSync = jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown) => {
      if (fd !== 1) throw new Error(`unexpected write to fd ${fd}`);
      written.push(String(data));
      return Buffer.byteLength(String(data));
    }) as typeof fs.writeSync);
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      const app = createApp({ logLevel: 'info', seed: { personsPerProject: 5 } });
      await request(app).get(ROLES).set('Authorization', OWNER);
      await settle();
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
      writeSync.mockRestore();
    }
    const text = written.join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text).toContain('\u001b[');
    expect(text).toContain('(posthog-mock)');
    expect(text).toContain(`GET ${ROLES} 200`);
  });

  test('an unknown level is a TypeError naming the levels', () => {
    expect(() => requestLogging({ logLevel: 'loud' as 'info' })).toThrow(
      new TypeError('logLevel must be one of silent, error, warn, info, debug; got loud'),
    );
  });
});

describe('lines', () => {
  test('a line holds each field once: the request line as bound at the end, never one bound at the start', async () => {
    const { lines, raw, call } = logged('debug');
    await call('get', `${ROLES}?limit=1`, (r) => r.set('Authorization', OWNER));
    expect(Object.keys(lines[0]!).sort()).toEqual([
      'body',
      'hostname',
      'key',
      'level',
      'msg',
      'operation_id',
      'pid',
      'req',
      'reqId',
      'res',
      'responseTime',
      'time',
    ]);
    expect(lines[0]!.req).toEqual({ method: 'GET', url: `${ROLES}?limit=1` });
    expect(lines[0]!.res).toEqual({ statusCode: 200 });
    for (const field of ['key', 'operation_id', 'req', 'res']) {
      expect(raw[0]!.split(`"${field}":`)).toHaveLength(2);
    }
  });

  test('a path answered inside a mounted router is logged with its full URL', async () => {
    const { lines, call } = logged('debug');
    await call('get', '/__mock/health');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, req: { url: '/__mock/health' } });
    expect(lines[0]!.msg).toMatch(/^GET \/__mock\/health 200 \d+ms$/);
  });

  test('HEAD names the GET operation; the URL is the original one, key masked', async () => {
    const { lines, call } = logged('info');
    await call('head', `${ROLES}?personal_api_key=${KEYS.admin}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { method: 'HEAD', url: `${ROLES}?personal_api_key=phx_…_key` },
      res: { statusCode: 200 },
      key: 'phx_…_key',
      operation_id: 'roles_list',
    });
    expect(lines[0]!.msg).toMatch(new RegExp(`^HEAD ${ROLES}\\?personal_api_key=phx_…_key 200 \\d+ms$`));
  });

  test('with the journal off, the key is still found and masked', async () => {
    const { lines, call } = logged('info', { journalSize: 0 });
    await call('get', ROLES, (r) => r.set('Authorization', OWNER));
    expect(lines[0]).toMatchObject({ key: 'phx_…_key', operation_id: 'roles_list' });
  });

  test('a 4xx is info; exactly 500 is error, with a "failed" message', async () => {
    const { lines, call } = logged('info');
    await call('get', ROLES, (r) => r.set('Authorization', OWNER).set('Prefer', 'code=499'));
    await call('get', ROLES, (r) => r.set('Authorization', OWNER).set('Prefer', 'code=500'));
    expect(lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
      [30, 499],
      [50, 500],
    ]);
    expect(lines[1]!.msg).toBe(`GET ${ROLES} 500 failed`);
  });

  test('health paths are debug, other paths without a route are info', async () => {
    const { lines, call } = logged('debug');
    await call('get', '/_health');
    await call('get', '/_healthz');
    expect(lines.map((l) => [l.level, (l.req as { url: string }).url])).toEqual([
      [20, '/_health'],
      [30, '/_healthz'],
    ]);
  });
});

describe('bodies at debug level', () => {
  test('a body key is masked, or shown as … when it is not a string; lists and keyless bodies as sent', async () => {
    const { lines, call } = logged('debug');
    // bodies a handler never validated keep every field (validation drops unknown ones in place)
    await call('post', ROLES, (r) => r.send({ name: 'A', personal_api_key: 7 }));
    const missing = `${ROLES}0190a1b2-ffff-7000-8000-000000000000/`;
    await call('post', missing, (r) => r.send({ name: 'B', personal_api_key: KEYS.admin }));
    await call('post', ROLES, (r) => r.set('Authorization', OWNER).send(['personal_api_key']));
    await call('post', ROLES, (r) => r.set('Authorization', OWNER).send({ name: 'C' }));
    await call('get', ROLES, (r) => r.set('Authorization', OWNER));
    await call('post', ROLES, (r) =>
      r.set('Authorization', OWNER).set('Content-Type', 'application/json').send('null'),
    );
    expect(lines[5]).not.toHaveProperty('body');
    expect(lines.map((l) => [(l.res as { statusCode: number }).statusCode, l.body])).toEqual([
      [401, { name: 'A', personal_api_key: '…' }],
      [405, { name: 'B', personal_api_key: 'phx_…_key' }],
      [400, ['personal_api_key']],
      [201, { name: 'C' }],
      [200, {}],
      [400, undefined],
    ]);
  });

  test(`a body of exactly ${LOGGED_BODY_LIMIT} characters is logged; one more is only measured`, async () => {
    const { lines, call } = logged('debug');
    const at = { name: 'n'.repeat(LOGGED_BODY_LIMIT - '{"name":""}'.length) };
    expect(JSON.stringify(at)).toHaveLength(LOGGED_BODY_LIMIT);
    await call('post', ROLES, (r) => r.set('Authorization', OWNER).send(at));
    await call('post', ROLES, (r) => r.set('Authorization', OWNER).send({ name: `${at.name}n` }));
    expect(lines.map((l) => l.body)).toEqual([at, { truncated: true, length: LOGGED_BODY_LIMIT + 1 }]);
  });
});
