import http, { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type MockApp } from './app';
import { ApiError } from './http/errors';
import type { FaultHandle } from './control/controls';
import type { FaultRuleInput } from './control/faults';
import type { JournalEntry, JournalFilter } from './control/journal';
import type { StateDocument } from './control/state';

export interface StartOptions extends AppOptions {
  /** default 0: a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
}

export interface CloseOptions {
  /**
   * Milliseconds to let requests finish before connections are closed (default 0: close at once, as
   * tests want). Within the grace period the server drains: it answers what it has received and what
   * is waiting to be accepted, each with `Connection: close`, and stops listening once 100 ms pass with
   * no request in flight, or when the period ends.
   */
  graceMs?: number;
}

export interface MockServer {
  app: MockApp;
  server: http.Server;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** the fixture owner's personal API key: acts as the organization's owner */
  apiKey: string;
  /** one reset: store to its start, journal emptied, fault rules removed (as POST /__mock/reset) */
  reset(): void;
  /** journaled requests, newest first (as GET /__mock/requests) */
  requests(filter?: JournalFilter): JournalEntry[];
  /** adds a fault rule (as POST /__mock/faults); the handle removes it */
  fault(rule: FaultRuleInput): FaultHandle;
  /** the whole store as a versioned JSON document (as GET /__mock/state) */
  state(): StateDocument;
  /** replaces the store with an exported document, after checking it (as PUT /__mock/state) */
  load(state: unknown): void;
  /**
   * Stops listening and closes every connection (after draining, with `graceMs`), and clears pending
   * delays; leaves no handle open.
   */
  close(options?: CloseOptions): Promise<void>;
}

/** How long the server must have been without a request before a draining close ends. */
const QUIET_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the mock on a port (a free one by default) and resolves once it listens.
 *
 * @example
 * const mock = await startMockServer();
 * process.env.POSTHOG_HOST = mock.url;
 * // ... run tests, then:
 * await mock.close();
 */
export function startMockServer(options: StartOptions = {}): Promise<MockServer> {
  const app = createApp(options);
  const host = options.host ?? '127.0.0.1';
  let inFlight = 0;
  let lastActivity = 0;
  let draining = false;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    lastActivity = Date.now();
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight -= 1;
      lastActivity = Date.now();
    });
    app(req, res);
  });

  // what Node refuses before a request exists (a URL or headers over 16 KB, bytes that are not HTTP) gets
  // PostHog's error body too, not Node's bare status line
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, detail] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request_header_fields_too_large', 'Request header fields too large.']
        : [400, 'parse_error', 'Malformed HTTP request.'];
    const body = JSON.stringify(new ApiError(status, 'invalid_request', code, detail).body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const drain = async (graceMs: number): Promise<void> => {
    draining = true;
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (inFlight > 0 || Date.now() - lastActivity < QUIET_MS)) {
      await sleep(Math.min(10, Math.max(1, deadline - Date.now())));
    }
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      let closing: Promise<void> | undefined;
      const close = async ({ graceMs = 0 }: CloseOptions = {}): Promise<void> => {
        if (graceMs > 0) await drain(graceMs);
        const closed = new Promise<void>((done, fail) => server.close((err) => (err ? fail(err) : done())));
        app.controls.close();
        server.closeAllConnections();
        await closed;
      };
      resolve({
        app,
        server,
        port,
        url: `http://${urlHost}:${port}`,
        apiKey: app.store.fixtures.users[0]?.personal_api_key ?? '',
        reset: () => app.controls.reset(),
        requests: (filter) => app.controls.requests(filter),
        fault: (rule) => app.controls.fault(rule),
        state: () => app.controls.state(),
        load: (state) => app.controls.load(state),
        close: (closeOptions) => (closing ??= close(closeOptions)),
      });
    });
  });
}
