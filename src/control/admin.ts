import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../http/auth';
import { ApiError, notAuthenticated } from '../http/errors';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * With an admin token set, every control-plane call needs `Authorization: Bearer <token>`; a missing or
 * wrong token answers 401 with PostHog's error body. Without one, the control plane is open.
 */
export function requireAdminToken(token: string | undefined) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (token === undefined) return next();
    const given = bearerToken(req);
    if (given === undefined) return next(notAuthenticated());
    if (!same(given, token)) {
      return next(
        new ApiError(
          401,
          'authentication_error',
          'authentication_failed',
          'Admin token in request Authorization header is invalid.',
        ),
      );
    }
    next();
  };
}
