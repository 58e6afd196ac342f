import express, { type NextFunction, type Request, type Response } from 'express';
import { notFound } from '../http/errors';
import { requireAdminToken } from './admin';
import type { Controls } from './controls';
import { badControl } from './errors';
import { checkRule } from './faults';
import { filterFromQuery } from './journal';
import { jsonBody } from './body';
import { seedOptionsFrom } from './seed';
import { controlKey } from './worlds';

export interface ControlPlaneOptions {
  /** when set, every control-plane call needs `Authorization: Bearer <adminToken>` */
  adminToken?: string;
  /**
   * under `isolateByKey`: the world of a key. A call naming a key (`X-PostHog-Mock-Key` or `?key=`) acts
   * on that key's world; without one, on the default world. Absent: naming a key is a 400.
   */
  worldOf?: (key: string) => Controls;
}

type Handler = (req: Request, res: Response) => void;

const safe =
  (handler: Handler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    try {
      handler(req, res);
    } catch (err) {
      next(err);
    }
  };

/**
 * The control plane, mounted at `/__mock`: never needs a PostHog key, and is never journaled or faulted.
 * Every error is PostHog's error body; every write is all-or-nothing.
 */
export function controlPlane(controls: Controls, options: ControlPlaneOptions = {}): express.Router {
  const router = express.Router();
  router.use(requireAdminToken(options.adminToken));
  /** the world a call acts on: its key's, or the default one */
  const target = (req: Request): Controls => {
    const key = controlKey(req);
    if (key === undefined) return controls;
    if (!options.worldOf) {
      throw badControl('A key names an isolated world; start the mock with --isolate-by-key.', 'key');
    }
    return options.worldOf(key);
  };
  /** the query without the world's key, for the journal's filters */
  const filters = (req: Request): Request['query'] => {
    return Object.fromEntries(Object.entries(req.query).filter(([name]) => name !== 'key'));
  };

  router.get(
    '/health',
    safe((_req, res) => {
      res.json({ status: 'ok' });
    }),
  );

  router.post(
    '/reset',
    safe((req, res) => {
      target(req).reset();
      res.status(204).end();
    }),
  );

  router.post(
    '/seed',
    jsonBody,
    safe((req, res) => {
      const options = seedOptionsFrom(req.body);
      target(req).seed(options);
      res.json({ options });
    }),
  );

  router.get(
    '/state',
    safe((req, res) => {
      res.json(target(req).state());
    }),
  );

  router.put(
    '/state',
    jsonBody,
    safe((req, res) => {
      target(req).load(req.body);
      res.status(204).end();
    }),
  );

  router.get(
    '/requests',
    safe((req, res) => {
      const { limit, ...filter } = filterFromQuery(filters(req));
      const results = target(req).requests({ ...filter, limit });
      res.json({ count: target(req).countRequests(filter), results });
    }),
  );

  router.get(
    '/requests/count',
    safe((req, res) => {
      const filter = filterFromQuery(filters(req));
      if (filter.limit !== undefined) throw badControl('count takes no limit.', 'limit');
      res.json({ count: target(req).countRequests(filter) });
    }),
  );

  router.delete(
    '/requests',
    safe((req, res) => {
      target(req).clearRequests();
      res.status(204).end();
    }),
  );

  router.get(
    '/faults',
    safe((req, res) => {
      res.json({ results: target(req).faults.list() });
    }),
  );

  router.post(
    '/faults',
    jsonBody,
    safe((req, res) => {
      const body = req.body as unknown;
      const many = body && typeof body === 'object' && !Array.isArray(body) && 'rules' in body;
      if (!many) {
        res.status(201).json(target(req).fault(checkRule(body)).rule());
        return;
      }
      const rules = (body as { rules: unknown }).rules;
      if (!Array.isArray(rules) || rules.length === 0) {
        throw badControl('rules must be a non-empty list of fault rules.', 'rules');
      }
      const checked = rules.map((r, i) => checkRule(r, `rules__${i}__`));
      res.status(201).json({ results: checked.map((r) => target(req).fault(r).rule()) });
    }),
  );

  router.delete(
    '/faults',
    safe((req, res) => {
      target(req).faults.clear();
      res.status(204).end();
    }),
  );

  router.delete(
    '/faults/:id',
    safe((req, res) => {
      if (!target(req).faults.remove(String(req.params.id))) throw notFound('No fault rule with this id.');
      res.status(204).end();
    }),
  );

  return router;
}
