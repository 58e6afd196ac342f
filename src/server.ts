import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type AppOptions, type MockApp } from './app';
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

export interface MockServer {
  app: MockApp;
  server: Server;
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
  close(): Promise<void>;
}

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
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port ?? 0, host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      resolve({
        app,
        server,
        port,
        url: `http://${urlHost}:${port}`,
        apiKey: app.store.user(1).personal_api_keys[0]!.value,
        reset: () => app.controls.reset(),
        requests: (filter) => app.controls.requests(filter),
        fault: (rule) => app.controls.fault(rule),
        state: () => app.controls.state(),
        load: (state) => app.controls.load(state),
        close: () =>
          new Promise<void>((done, fail) => {
            app.controls.close();
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
