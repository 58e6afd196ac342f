import express from 'express';
import { parseBody } from './http/body';
import { dispatch, errorHandler, findRoute } from './http/dispatch';
import { notFound } from './http/errors';
import { responseHeaders } from './http/headers';
import { compileRoutes } from './http/router';
import { Controls, storeFromDocument } from './control/controls';
import { controlPlane } from './control/router';
import { addLatency, checkLatency, type Latency } from './control/delays';
import { injectFaults } from './control/faults';
import { journalBody, journalRequests } from './control/journal';
import { Worlds } from './control/worlds';
import { findKey } from './http/auth';
import { requestLogging, type LoggingOptions } from './http/logging';
import { serveOpenApi } from './openapi';
import { operations } from './operations';
import { Profile, type ProfileOptions } from './profiles';
import { DEFAULT_SEED_OPTIONS, type SeedOptions } from './store/seed';
import { loadFixtures } from './store/fixtures';
import { Store } from './store/store';

export interface AppOptions extends LoggingOptions, ProfileOptions {
  /** an existing store to serve; otherwise one is seeded from `seed` */
  store?: Store;
  /** seed options, merged over the defaults */
  seed?: Partial<SeedOptions>;
  /** a folder of fixture files in the format of the package's fixtures/ (each file present replaces the package's) */
  fixtures?: string;
  /** reject personal API keys that belong to no seeded user (default: any key acts as the owner) */
  strictKeys?: boolean;
  /** serve the control plane under /__mock/ (default true) */
  controlPlane?: boolean;
  /** require `Authorization: Bearer <adminToken>` on every /__mock/ call */
  adminToken?: string;
  /** requests the journal keeps, newest first (default 1000; 0 turns the journal off) */
  journalSize?: number;
  /** delay every API response: fixed ms, or [min, max] drawn from a seeded stream (each at most 60000) */
  latency?: Latency;
  /**
   * Origins a browser may call the mock from (`'*'` for any): answers CORS preflights and sets
   * `Access-Control-Allow-Origin` for them. Default: CORS off, no CORS headers at all.
   */
  cors?: string | string[];
  /**
   * Behind a reverse proxy: build absolute links (`next`, `previous`) from `X-Forwarded-Host` and
   * `X-Forwarded-Proto`. Default false: those headers are ignored, and a `Host` header that is not a valid
   * host[:port] gives way to the address the request came in on.
   */
  trustProxy?: boolean;
  /** start from an exported state (GET /__mock/state) instead of seeding; reset returns to it */
  state?: unknown;
  /**
   * Give each distinct personal API key its own copy of the start (store, journal, fault rules), made on
   * first use, so parallel tests with their own keys never see each other's writes. Control-plane calls
   * act on a key's world with `X-PostHog-Mock-Key: <key>` (or `?key=`); without one, on the default world.
   */
  isolateByKey?: boolean;
  /** isolated worlds kept at most (default 1000); past it the least recently used one is dropped */
  maxWorlds?: number;
}

export type MockApp = express.Express & {
  /** the store being served (the same as `controls.store`) */
  store: Store;
  /** reset, journal, faults and state from code: what /__mock/ serves over HTTP (the default world) */
  controls: Controls;
  /** the isolated worlds, under `isolateByKey` */
  worlds?: Worlds;
};

const routes = compileRoutes(operations);

/**
 * Builds the mock as an Express app without listening, so supertest or your own server can use it.
 *
 * @example
 * const app = createApp({ seed: { seed: 7 } });
 * await request(app).get('/api/organizations/@current/roles/').set('Authorization', 'Bearer phx_test');
 */
export function createApp(options: AppOptions = {}): MockApp {
  const profile = new Profile(options);
  const store =
    options.store ??
    (options.state !== undefined
      ? storeFromDocument(options.state)
      : new Store(
          { ...DEFAULT_SEED_OPTIONS, ...options.seed },
          { fixtures: loadFixtures(options.fixtures) },
        ));
  const app = express() as MockApp;
  const controls = new Controls(store, { journalSize: options.journalSize });
  const latency = options.latency === undefined ? 0 : checkLatency(options.latency);
  const strictKeys = options.strictKeys ?? false;
  const worlds = options.isolateByKey ? new Worlds(controls, options.maxWorlds) : undefined;
  /**
   * The world a request is served from: its key's under isolateByKey, else the default one. Decided on
   * first use, which is after the body is parsed (a key may be in the body), and kept for the request.
   */
  const worldOf = (req: express.Request, res: express.Response): Controls => {
    if (!worlds) return controls;
    const cached = res.locals.world as Controls | undefined;
    if (cached) return cached;
    const key = findKey(req)?.key;
    const world = key === undefined ? controls : worlds.forKey(key);
    res.locals.world = world;
    return world;
  };
  app.controls = controls;
  if (worlds) app.worlds = worlds;
  Object.defineProperty(app, 'store', {
    get: () => controls.store,
    set: (value: Store) => (controls.store = value),
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(responseHeaders({ cors: options.cors }));

  // one log line per request (off unless logLevel or logger is given)
  const logging = requestLogging(options);
  if (logging) app.use(logging);

  if (options.controlPlane ?? true) {
    app.use(
      '/__mock',
      controlPlane(controls, {
        adminToken: options.adminToken,
        worldOf: worlds && ((key) => worlds.forKey(key)),
      }),
    );
  }
  app.get('/_health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Controls over the table: journal every request below, delay by the latency option, then
  // (once the body is parsed and the key checked) apply Prefer headers and fault rules.
  app.use(journalRequests(controls.journal, (req, res) => worldOf(req, res).journal));
  // the API's own OpenAPI document, public like PostHog's
  app.get('/api/schema', serveOpenApi);
  if (latency !== 0) {
    app.use(
      '/api',
      addLatency(latency, () => controls.latencyRandom.next(), controls.delays),
    );
  }
  app.use(
    '/api',
    findRoute(routes),
    parseBody,
    journalBody(controls.journal),
    injectFaults({ getControls: worldOf, strictKeys }),
    dispatch({
      getStore: (req, res) => worldOf(req, res).store,
      strictKeys,
      profile,
      defer: (req, res) => {
        const world = worldOf(req, res);
        return (ms, fn) => world.delays.later(ms, world, fn);
      },
    }),
  );
  app.use((_req, _res, next) => next(notFound('Not found.')));
  app.use(errorHandler);
  return app;
}
