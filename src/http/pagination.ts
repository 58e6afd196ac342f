import type { Request } from 'express';
import { origin } from './headers';
import { RawResponse } from './operation';

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ActivityPage<T> {
  results: T[];
  next: string | null;
  previous: string | null;
  total_count: number;
}

/** a repeated query parameter counts by its last value, as Django's QueryDict reads it */
export const lastValue = (value: unknown): unknown =>
  Array.isArray(value) ? value[value.length - 1] : value;

const positiveInt = (param: unknown): number | undefined => {
  const value = lastValue(param);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
};

/**
 * The request's absolute URL with some query parameters set or removed, every parameter re-encoded in
 * alphabetical order, as Django REST Framework's replace_query_param / remove_query_param build links.
 */
export function linkTo(req: Request, set: Record<string, number>, remove: string[] = []): string {
  const raw = req.originalUrl;
  const q = raw.indexOf('?');
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  for (const [key, value] of Object.entries(set)) params.set(key, String(value));
  for (const key of remove) params.delete(key);
  params.sort();
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = params.toString();
  return `${origin(req)}${path}${query ? `?${query}` : ''}`;
}

export interface PageWindow {
  limit: number;
  offset: number;
}

/** The page a limit/offset request asks for: default page 100, junk limit falls back to it, junk offset to 0. */
export function pageWindow(req: Request, defaultLimit = 100): PageWindow {
  return { limit: positiveInt(req.query.limit) ?? defaultLimit, offset: positiveInt(req.query.offset) ?? 0 };
}

/** The envelope's links for one page out of `count` items. */
function pageLinks(req: Request, { limit, offset }: PageWindow, count: number) {
  const next = offset + limit < count ? linkTo(req, { limit, offset: offset + limit }) : null;
  let previous: string | null = null;
  if (offset > 0) {
    previous =
      offset - limit <= 0
        ? linkTo(req, { limit }, ['offset'])
        : linkTo(req, { limit, offset: offset - limit });
  }
  return { next, previous };
}

/**
 * limit/offset pagination over a list. With `view`, the page is cut first and only its items are turned
 * into their response shape.
 */
export function paginate<T, R = T>(
  req: Request,
  items: T[],
  view?: (item: T) => R,
  defaultLimit = 100,
): Page<R> {
  const window = pageWindow(req, defaultLimit);
  const { next, previous } = pageLinks(req, window, items.length);
  const page = items.slice(window.offset, window.offset + window.limit);
  return { count: items.length, next, previous, results: view ? page.map(view) : (page as unknown as R[]) };
}

/**
 * The same envelope as JSON text, around a page whose items are already serialized: what a list that
 * builds only its page (and keeps its items' JSON) answers.
 */
export function pageJson(req: Request, window: PageWindow, count: number, results: string[]): RawResponse {
  const { next, previous } = pageLinks(req, window, count);
  const head = JSON.stringify({ count, next, previous });
  return new RawResponse(
    'application/json; charset=utf-8',
    `${head.slice(0, -1)},"results":[${results.join(',')}]}`,
  );
}

/** The window an activity request asks for: 1-based `page`, `limit` default 10. */
export function activityWindow(req: Request): { page: number; limit: number; start: number } {
  const limit = positiveInt(req.query.limit) ?? 10;
  const page = positiveInt(req.query.page) ?? 1;
  return { page, limit, start: (page - 1) * limit };
}

/** The activity envelope around one page of `results` out of `total` entries. */
export function activityEnvelope<T>(
  req: Request,
  { page, limit, start }: ReturnType<typeof activityWindow>,
  results: T[],
  total: number,
): ActivityPage<T> {
  return {
    results,
    next: start + limit < total ? linkTo(req, { limit, page: page + 1 }) : null,
    previous: page > 1 ? linkTo(req, { limit, page: page - 1 }) : null,
    total_count: total,
  };
}

/** Activity log pagination over a list: 1-based `page`, `limit` default 10, `total_count`. */
export function activityPage<T>(req: Request, items: T[]): ActivityPage<T> {
  const window = activityWindow(req);
  return activityEnvelope(req, window, items.slice(window.start, window.start + window.limit), items.length);
}
