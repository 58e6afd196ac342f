import express, { type NextFunction, type Request, type Response } from 'express';
import { notFound } from '../http/errors';
import { requireAdminToken } from './admin';
import type { Controls } from './controls';
import { badControl } from './errors';
import { checkRule } from './faults';
import { filterFromQuery } from './journal';
import { jsonBody } from './body';
import { seedOptionsFrom } from './seed';

export interface ControlPlaneOptions {
  /** when set, every control-plane call needs `Authorization: Bearer <adminToken>` */
  adminToken?: string;
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

  router.get(
    '/health',
    safe((_req, res) => {
      res.json({ status: 'ok' });
    }),
  );

  router.post(
    '/reset',
    safe((_req, res) => {
      controls.reset();
      res.status(204).end();
    }),
  );

  router.post(
    '/seed',
    jsonBody,
    safe((req, res) => {
      const options = seedOptionsFrom(req.body);
      controls.seed(options);
      res.json({ options });
    }),
  );

  router.get(
    '/state',
    safe((_req, res) => {
      res.json(controls.state());
    }),
  );

  router.put(
    '/state',
    jsonBody,
    safe((req, res) => {
      controls.load(req.body);
      res.status(204).end();
    }),
  );

  router.get(
    '/requests',
    safe((req, res) => {
      const { limit, ...filter } = filterFromQuery(req.query);
      const results = controls.requests({ ...filter, limit });
      res.json({ count: controls.countRequests(filter), results });
    }),
  );

  router.get(
    '/requests/count',
    safe((req, res) => {
      const filter = filterFromQuery(req.query);
      if (filter.limit !== undefined) throw badControl('count takes no limit.', 'limit');
      res.json({ count: controls.countRequests(filter) });
    }),
  );

  router.delete(
    '/requests',
    safe((_req, res) => {
      controls.clearRequests();
      res.status(204).end();
    }),
  );

  router.get(
    '/faults',
    safe((_req, res) => {
      res.json({ results: controls.faults.list() });
    }),
  );

  router.post(
    '/faults',
    jsonBody,
    safe((req, res) => {
      const body = req.body as unknown;
      const many = body && typeof body === 'object' && !Array.isArray(body) && 'rules' in body;
      if (!many) {
        res.status(201).json(controls.fault(checkRule(body)).rule());
        return;
      }
      const rules = (body as { rules: unknown }).rules;
      if (!Array.isArray(rules) || rules.length === 0) {
        throw badControl('rules must be a non-empty list of fault rules.', 'rules');
      }
      const checked = rules.map((r, i) => checkRule(r, `rules__${i}__`));
      res.status(201).json({ results: checked.map((r) => controls.fault(r).rule()) });
    }),
  );

  router.delete(
    '/faults',
    safe((_req, res) => {
      controls.faults.clear();
      res.status(204).end();
    }),
  );

  router.delete(
    '/faults/:id',
    safe((req, res) => {
      if (!controls.faults.remove(String(req.params.id))) throw notFound('No fault rule with this id.');
      res.status(204).end();
    }),
  );

  return router;
}
