import type { NextFunction, Request, Response } from 'express';
import type { Store } from '../store/store';
import { checkAccess } from './access';
import { authenticate, type AuthOptions } from './auth';
import { ApiError, methodNotAllowed, notFound, serverError } from './errors';
import { NO_BODY, Profile, type Defer } from '../profiles';
import { RawResponse, type Context, type Method, type Operation, type Query } from './operation';
import { activityPage, lastValue, paginate } from './pagination';
import { allowedMethods, matchRoute, type Route } from './router';
import { checkKeyScopes } from './scopes';
import { validate } from './validation';

export interface DispatchOptions extends AuthOptions {
  /** the store this request is served from (under `isolateByKey`, its key's world) */
  getStore(req: Request, res: Response): Store;
  /** how operations answer: the docs' way (default) or live PostHog's */
  profile?: Profile;
  /** runs work later in the request's world, dropped when that world is reset or the server closed */
  defer?(req: Request, res: Response): Defer;
}

const atOnce: Defer = (_ms, fn) => fn();

/** every query parameter by its last value (lastValue: Django's QueryDict rule) */
const lastValues = (query: Request['query']): Query =>
  Object.fromEntries(
    Object.entries(query).map(([key, value]) => {
      const last = lastValue(value);
      return [key, typeof last === 'string' ? last : undefined];
    }),
  );

/** Finds the route for an /api path before anything else: unknown paths answer 404 without a key. */
export function findRoute(routes: readonly Route[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = matchRoute(routes, req.baseUrl + req.path);
    if (!match) return next(notFound('Endpoint not found.'));
    res.locals.match = match;
    next();
  };
}

/**
 * Runs one request through the table: authenticate, pick the operation (405 with Allow otherwise),
 * resolve the organization or project in the path, check the key's scopes (strict keys), check the
 * caller's membership and the row's access level, validate the body, call the handler, and answer as the
 * profile does (the docs' status and body, or live PostHog's).
 */
export function dispatch(options: DispatchOptions) {
  const profile = options.profile ?? new Profile();
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      const store = options.getStore(req, res);
      const { route, params } = res.locals.match as ReturnType<typeof matchRoute> & object;
      const { user, key } = authenticate(req, store, options);
      const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
      const op: Operation | undefined = route.operations[method];
      if (!op) {
        if (req.method === 'OPTIONS') {
          res.set('Allow', allowedMethods(route).join(', ')).status(200).end();
          return;
        }
        throw methodNotAllowed(req.method, allowedMethods(route));
      }
      const form = res.locals.bodyKind === 'form';
      const ctx = {
        store,
        req,
        user,
        key,
        strictKeys: options.strictKeys,
        params,
        query: lastValues(req.query),
        body: req.body as unknown,
        paginate: <T, R>(items: T[], view?: (item: T) => R) => paginate(req, items, view),
        activityPage: <T>(items: T[]) => activityPage(req, items),
        validate: <T>(schema: string, value: unknown, attrPrefix?: string) =>
          validate<T>(schema, value, { form, attrPrefix }),
      } as Context;
      if (params.project_id !== undefined) {
        ctx.project = store.project(params.project_id, user);
        ctx.org = store.organization(ctx.project.organization, user);
      } else if (params.organization_id !== undefined) {
        ctx.org = store.organization(params.organization_id, user);
      }
      // strict keys: the key's projects, organizations and scopes, from the operation's row
      if (options.strictKeys && key) checkKeyScopes(key, op, ctx);
      // membership of the path's organization, then the row's access level
      checkAccess(op, ctx);
      if (op.request) validateOnRead(ctx, op.request, form);
      send(res, profile.answer(op, ctx, options.defer?.(req, res) ?? atOnce));
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The body is validated when the handler first reads it, which is after it has looked up the object in
 * the path: as in PostHog, an unknown object answers 404 before its body is judged. Handlers read the
 * body before they write anything, so a rejected body still leaves the store unchanged.
 */
function validateOnRead(ctx: Context, schema: string, form: boolean): void {
  const raw = ctx.body;
  let validated: { value: unknown } | undefined;
  Object.defineProperty(ctx, 'body', {
    get: () => (validated ??= { value: validate(schema, raw, { form }) }).value,
  });
}

function send(res: Response, { status, body }: { status: number; body: unknown }): void {
  if (body === NO_BODY) {
    res.status(status).end();
  } else if (body instanceof RawResponse) {
    res.status(status).type(body.contentType).send(body.body);
  } else {
    res.status(status).json(body);
  }
}

/** The one place errors become responses: PostHog's body for ours, a bare 500 body for anything else. */
export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const apiError = err instanceof ApiError ? err : serverError();
  if (!(err instanceof ApiError)) console.error('posthog-mock: unexpected error', err);
  res.status(apiError.status).set(apiError.headers).json(apiError.body);
}
