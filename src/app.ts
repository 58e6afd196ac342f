import express from 'express';
import { parseBody } from './http/body';
import { dispatch, errorHandler, findRoute } from './http/dispatch';
import { notFound } from './http/errors';
import { responseHeaders } from './http/headers';
import { compileRoutes } from './http/router';
import { operations } from './operations';
import { DEFAULT_SEED_OPTIONS, type SeedOptions } from './store/seed';
import { Store } from './store/store';

export interface AppOptions {
  /** an existing store to serve; otherwise one is seeded from `seed` */
  store?: Store;
  /** seed options, merged over the defaults */
  seed?: Partial<SeedOptions>;
  /** reject personal API keys that belong to no seeded user (default: any key acts as the owner) */
  strictKeys?: boolean;
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
}

export type MockApp = express.Express & { store: Store };

const routes = compileRoutes(operations);

/**
 * Builds the mock as an Express app without listening, so supertest or your own server can use it.
 *
 * @example
 * const app = createApp({ seed: { seed: 7 } });
 * await request(app).get('/api/organizations/@current/roles/').set('Authorization', 'Bearer phx_test');
 */
export function createApp(options: AppOptions = {}): MockApp {
  const store = options.store ?? new Store({ ...DEFAULT_SEED_OPTIONS, ...options.seed });
  const app = express() as MockApp;
  app.store = store;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(responseHeaders({ cors: options.cors }));

  app.get('/_health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(
    '/api',
    findRoute(routes),
    parseBody,
    dispatch({ getStore: () => app.store, strictKeys: options.strictKeys ?? false }),
  );
  app.use((_req, _res, next) => next(notFound('Not found.')));
  app.use(errorHandler);
  return app;
}
