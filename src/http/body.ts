import type { NextFunction, Request, Response } from 'express';
import bodyParser from 'body-parser';
import multer from 'multer';
import { ApiError, parseError, unsupportedMediaType } from './errors';

/** How the body arrived: form bodies are all strings and are validated with type coercion. */
export type BodyKind = 'none' | 'json' | 'form';

const json = bodyParser.json({ strict: false, limit: '5mb', type: () => true });
const urlencoded = bodyParser.urlencoded({ extended: false, limit: '5mb', type: () => true });
const multipart = multer({ storage: multer.memoryStorage(), limits: { fileSize: 5 * 1024 * 1024 } }).any();

type Middleware = (req: Request, res: Response, next: (err?: unknown) => void) => void;

const run = (mw: Middleware, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => mw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Parses JSON, x-www-form-urlencoded and multipart bodies the way DRF's parsers do, into `req.body`
 * (always an object or array afterwards) and records the kind in `res.locals.bodyKind`.
 */
export async function parseBody(req: Request, res: Response, next: NextFunction): Promise<void> {
  res.locals.bodyKind = 'none' satisfies BodyKind;
  try {
    if (hasBody(req) && req.method !== 'GET' && req.method !== 'HEAD') {
      if (req.is(['application/json', '+json'])) {
        await run(json, req, res).catch((err: Error) => {
          throw parseError(err.message);
        });
        res.locals.bodyKind = 'json';
      } else if (req.is('application/x-www-form-urlencoded')) {
        await run(urlencoded, req, res);
        res.locals.bodyKind = 'form';
      } else if (req.is('multipart/form-data')) {
        await run(multipart, req, res).catch((err: Error) => {
          throw new ApiError(
            400,
            'invalid_request',
            'parse_error',
            `Multipart form parse error - ${err.message}`,
          );
        });
        res.locals.bodyKind = 'form';
      } else if (req.method !== 'DELETE') {
        throw unsupportedMediaType(req.headers['content-type'] ?? '');
      }
    }
    if (
      req.body === undefined ||
      req.body === null ||
      (res.locals.bodyKind === 'form' && typeof req.body !== 'object')
    ) {
      req.body = {};
    }
    // A form or JSON body without content ("") parses to nothing: treat it as an empty object.
    if (res.locals.bodyKind === 'form') req.body = { ...req.body };
    next();
  } catch (err) {
    next(err);
  }
}
