import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { ApiError, parseError, unsupportedMediaType } from '../http/errors';

/** A whole store as JSON can be large; nothing else the control plane takes comes near this. */
export const CONTROL_BODY_LIMIT = '64mb';

const parse = bodyParser.json({ strict: false, limit: CONTROL_BODY_LIMIT, type: () => true });

/** Control-plane bodies are JSON; a bad one is PostHog's parse_error, anything else a 415. */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  const type = req.headers['content-type'];
  if (type !== undefined && !req.is(['application/json', '+json'])) return next(unsupportedMediaType(type));
  parse(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
      return next(
        new ApiError(
          413,
          'invalid_request',
          'request_too_large',
          `Request body is larger than ${CONTROL_BODY_LIMIT}.`,
        ),
      );
    }
    if (err) return next(parseError(err instanceof Error ? err.message : String(err)));
    if (req.body === undefined) req.body = {};
    next();
  });
}
