import express, { type NextFunction, type Request, type Response } from 'express';
import { requireAdminToken } from './admin';
import type { Controls } from './controls';

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

  return router;
}
