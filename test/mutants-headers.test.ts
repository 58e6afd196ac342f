import net from 'node:net';
import request from 'supertest';
import { CORS_MAX_AGE_SECONDS } from '../src/http/headers';
import { createApp } from '../src/app';
import { checkResponse, KEYS, ORG, useMock } from './support/api';

/**
 * src/http/headers.ts, behaviour by behaviour (issue 11: each mutant Stryker left alive now fails here).
 * CORS answers and absolute links; the security defaults are in hostile-reproductions "9.9 headers".
 */

const ROLES = `/api/organizations/${ORG}/roles`;
const APP = 'https://app.example';

/**
 * An app with these CORS options, built inside the test that uses it: responseHeaders reads its options
 * when the app is built, and Stryker activates a mutant only while a test runs (an app built in a
 * beforeAll, as useMock does, would never see a mutant of that code). Every answer is schema-checked.
 */
function withCors(cors?: string | string[]) {
  const app = createApp({ cors, seed: { personsPerProject: 5 } });
  const raw = () => request(app);
  const get = async (url: string, options: { headers?: Record<string, string> } = {}) => {
    const res = await raw()
      .get(url)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .set(options.headers ?? {});
    checkResponse('GET', url, res);
    return res;
  };
  return { raw, get };
}

describe('CORS off (the default)', () => {
  test('a request with an Origin gets no CORS header and no Vary: Origin', async () => {
    const api = withCors();
    const res = await api.get(`${ROLES}/`, { headers: { Origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
  });

  test('OPTIONS with a preflight header is not a preflight: 200 with Allow, as without it', async () => {
    const api = withCors();
    const res = await api
      .raw()
      .options(`${ROLES}/`)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('CORS for one origin', () => {
  test('no Origin header: no CORS header and no Vary', async () => {
    const api = withCors(APP);
    const res = await api.get(`${ROLES}/`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
  });

  test('another origin: no Allow-Origin, but Vary: Origin, since the answer depends on it', async () => {
    const api = withCors(APP);
    const res = await api.get(`${ROLES}/`, { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBe('Origin');
  });

  test('the allowed origin on a plain request: Allow-Origin names it, no preflight headers', async () => {
    const api = withCors(APP);
    const res = await api.get(`${ROLES}/`, {
      headers: { Origin: APP, 'Access-Control-Request-Method': 'GET' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers.vary).toBe('Origin');
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(res.headers['access-control-max-age']).toBeUndefined();
  });

  test('OPTIONS from the allowed origin without Access-Control-Request-Method is no preflight', async () => {
    const api = withCors(APP);
    const res = await api
      .raw()
      .options(`${ROLES}/`)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .set('Origin', APP);
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  test('a preflight without requested headers: every method, the default headers, the max age, both Vary names', async () => {
    const api = withCors(APP);
    const res = await api
      .raw()
      .options(`${ROLES}/`)
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'DELETE');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
    expect(res.headers['access-control-max-age']).toBe(String(CORS_MAX_AGE_SECONDS));
    expect(CORS_MAX_AGE_SECONDS).toBe(600);
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers');
  });
});

describe('CORS for any origin', () => {
  test('any origin gets Allow-Origin *, preflights included', async () => {
    const api = withCors('*');
    const res = await api.get(`${ROLES}/`, { headers: { Origin: 'https://anywhere.example' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const preflight = await api
      .raw()
      .options(`${ROLES}/`)
      .set('Origin', 'https://other.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-custom');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toBe('x-custom');
  });
});

describe('CORS for a list of origins', () => {
  test('each listed origin is answered with itself, others with nothing', async () => {
    const api = withCors(['https://one.example', APP]);
    for (const origin of ['https://one.example', APP]) {
      const res = await api.get(`${ROLES}/`, { headers: { Origin: origin } });
      expect(res.headers['access-control-allow-origin']).toBe(origin);
    }
    const other = await api.get(`${ROLES}/`, { headers: { Origin: 'https://two.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('absolute links', () => {
  const api = useMock();
  const next = async (host: string) =>
    (await api.get(`${ROLES}/?limit=1`, { headers: { Host: host } })).body.next as string;
  // a syntactically valid host name of exactly n characters (labels of at most 63)
  const hostOf = (n: number) => {
    let host = '';
    while (host.length < n) {
      const dot = host ? '.' : '';
      host += dot + 'a'.repeat(Math.min(63, n - host.length - dot.length));
    }
    return host;
  };

  test('a valid Host of 261 characters is used; one of 262 gives way to the local address', async () => {
    const long = hostOf(261);
    expect(long).toHaveLength(261);
    expect(await next(long)).toBe(`http://${long}${ROLES}/?limit=1&offset=1`);
    const longer = hostOf(262);
    expect(longer).toHaveLength(262);
    expect(await next(longer)).toBe(`${api.mock.url}${ROLES}/?limit=1&offset=1`);
  });
});

describe('absolute links on an IPv6 address', () => {
  const api = useMock({ host: '::1' } as Parameters<typeof useMock>[0]);

  test('a malformed Host gives way to the [bracketed] local address and port', async () => {
    const port = new URL(api.mock.url).port;
    expect(port).toMatch(/^\d+$/);
    const res = await api.get(`${ROLES}/?limit=1`, { headers: { Host: 'bad host' } });
    expect(res.body.next).toBe(`http://[::1]:${port}${ROLES}/?limit=1&offset=1`);
  });
});

describe('absolute links without a Host header', () => {
  const api = useMock();

  test('an HTTP/1.0 request without Host gets links on the local address', async () => {
    const { hostname, port } = new URL(api.mock.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.end(`GET ${ROLES}/?limit=1 HTTP/1.0\r\nAuthorization: Bearer ${KEYS.owner}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { next: string };
    expect(body.next).toBe(`${api.mock.url}${ROLES}/?limit=1&offset=1`);
  });
});
