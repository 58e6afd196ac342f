/**
 * posthog-mock in jest: one server for the whole run, started by `posthog-mock/jest/global-setup` in
 * jest's main process and stopped by `posthog-mock/jest/global-teardown`; tests (in any worker) find it
 * through environment variables and reset it over HTTP.
 *
 * @example
 * // jest.config.js
 * module.exports = {
 *   globalSetup: 'posthog-mock/jest/global-setup',
 *   globalTeardown: 'posthog-mock/jest/global-teardown',
 *   setupFilesAfterEnv: ['posthog-mock/jest/reset-before-each'],
 * };
 */
import { parseConfig, type ServerConfig } from '../config';
import { startMockServer, type MockServer, type StartOptions } from '../server';

/** where the server listens, e.g. http://127.0.0.1:40123 */
export const URL_VARIABLE = 'POSTHOG_MOCK_URL';
/** a personal API key acting as the organization's owner */
export const API_KEY_VARIABLE = 'POSTHOG_MOCK_API_KEY';
/** the control plane's admin token, when the server requires one */
export const ADMIN_TOKEN_VARIABLE = 'POSTHOG_MOCK_ADMIN_TOKEN';

const GLOBAL = Symbol.for('posthog-mock.jest.server');
type WithServer = typeof globalThis & { [GLOBAL]?: MockServer };

function variable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `posthog-mock: ${name} is not set. Start the mock for the run with ` +
        `globalSetup: 'posthog-mock/jest/global-setup' in your jest config.`,
    );
  }
  return value;
}

/** The running mock's URL, from POSTHOG_MOCK_URL. */
export const mockUrl = (): string => variable(URL_VARIABLE);

/** A personal API key for the running mock (the fixture owner's), from POSTHOG_MOCK_API_KEY. */
export const mockApiKey = (): string => variable(API_KEY_VARIABLE);

/**
 * Options for the run's server from the same POSTHOG_MOCK_* variables the CLI reads (seed, sizes,
 * fixtures, strict keys, isolation by key, admin token, latency, journal size, profile, person write delay). The port is always a free one, and the
 * control plane always on (the reset needs it): PORT and HOST are your application's.
 */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): StartOptions {
  const config = parseConfig([], { ...env, PORT: undefined, HOST: undefined }) as ServerConfig;
  return {
    seed: config.seed,
    fixtures: config.fixtures,
    strictKeys: config.strictKeys,
    isolateByKey: config.isolateByKey,
    maxWorlds: config.maxWorlds,
    adminToken: config.adminToken,
    latency: config.latency,
    journalSize: config.journalSize,
    profile: config.profile,
    personWriteDelay: config.personWriteDelay,
  };
}

/**
 * Starts the run's server and hands its URL and key to every test through POSTHOG_MOCK_URL and
 * POSTHOG_MOCK_API_KEY (workers inherit the environment of jest's main process).
 */
export async function startGlobalMock(options: StartOptions = optionsFromEnvironment()): Promise<MockServer> {
  const mock = await startMockServer({ ...options, port: options.port ?? 0 });
  (globalThis as WithServer)[GLOBAL] = mock;
  process.env[URL_VARIABLE] = mock.url;
  process.env[API_KEY_VARIABLE] = mock.apiKey;
  if (options.adminToken) process.env[ADMIN_TOKEN_VARIABLE] = options.adminToken;
  return mock;
}

/** Stops the run's server; every connection and pending delay is closed, so jest exits by itself. */
export async function stopGlobalMock(): Promise<void> {
  const mock = (globalThis as WithServer)[GLOBAL];
  delete (globalThis as WithServer)[GLOBAL];
  await mock?.close();
}

/**
 * One reset of the running mock, over HTTP: store back to its seeded state, request journal emptied,
 * fault rules removed. Call it before each test (or use `posthog-mock/jest/reset-before-each`). With
 * `key`, under --isolate-by-key, resets only that key's world.
 */
export async function resetMock(url: string = mockUrl(), key?: string): Promise<void> {
  const token = process.env[ADMIN_TOKEN_VARIABLE];
  const res = await fetch(`${url}/__mock/reset`, {
    method: 'POST',
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(key !== undefined ? { 'X-PostHog-Mock-Key': key } : {}),
    },
  });
  if (res.status !== 204) {
    throw new Error(`posthog-mock: reset answered ${res.status} ${await res.text()}`);
  }
}
