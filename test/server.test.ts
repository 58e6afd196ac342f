import net from 'node:net';
import { startMockServer, type MockServer } from '../src/server';
import { KEYS } from './support/api';

/** What Node itself refuses before the app sees a request still answers PostHog's error body. */
let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ seed: { personsPerProject: 5 } });
});
afterAll(() => mock.close());

const raw = (text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });

const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as unknown;

test('a URL over 16 KB: 431 with PostHog body', async () => {
  const res = await fetch(`${mock.url}/api/projects/1/persons/?search=${'a'.repeat(20_000)}`, {
    headers: { Authorization: `Bearer ${KEYS.owner}` },
  });
  expect(res.status).toBe(431);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(await res.json()).toEqual({
    type: 'invalid_request',
    code: 'request_header_fields_too_large',
    detail: 'Request header fields too large.',
    attr: null,
  });
});

test('bytes that are not HTTP: 400 with PostHog body', async () => {
  const response = await raw('NOT HTTP AT ALL\r\n\r\n');
  expect(response.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
  expect(bodyOf(response)).toEqual({
    type: 'invalid_request',
    code: 'parse_error',
    detail: 'Malformed HTTP request.',
    attr: null,
  });
});

test('the server still answers afterwards', async () => {
  const res = await fetch(`${mock.url}/_health`);
  expect(await res.json()).toEqual({ status: 'ok' });
});
