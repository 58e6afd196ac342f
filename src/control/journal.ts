import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../http/errors';
import { findKey } from '../http/auth';
import type { Match } from '../http/router';
import { badControl } from './errors';
import { checkGlob, compileGlob, type Glob } from './glob';
import { maskKey, maskQuery } from './mask';

/** One request as the mock saw it and answered it. */
export interface JournalEntry {
  /** increasing from 1 since the journal was last cleared */
  id: number;
  /** when the request arrived (ISO 8601) */
  time: string;
  method: string;
  /** the path without the query string */
  path: string;
  query: Record<string, unknown>;
  /** the parsed body as it arrived (before validation), null when there was none or it was too large */
  body: unknown;
  /** the personal API key, masked (`phx_…last4`), or null */
  key: string | null;
  /** the operation from the table, or null for an unknown route or method */
  operation_id: string | null;
  /** null when the response never completed (the client left, or the server closed first) */
  status: number | null;
  duration_ms: number;
}

export interface JournalFilter {
  method?: string;
  /** a path glob: `*` within a segment, `**` across segments */
  path?: string;
  /** an exact status (404) or a class ('4xx') */
  status?: number | string;
  /** entries at or after this time */
  since?: Date | string;
  /** at most this many entries (newest first) */
  limit?: number;
}

/** Bodies above this size are not kept, so a journal of large uploads cannot fill the heap. */
export const JOURNAL_BODY_LIMIT = 64 * 1024;
export const DEFAULT_JOURNAL_SIZE = 1000;

interface Matcher {
  method?: string;
  path?: Glob;
  status?: (status: number | null) => boolean;
  since?: number;
  limit: number;
}

/** As kept: the time as epoch ms, turned into ISO 8601 only when read. */
type Stored = Omit<JournalEntry, 'time'> & { at: number };

const published = (e: Stored): JournalEntry => ({
  id: e.id,
  time: new Date(e.at).toISOString(),
  method: e.method,
  path: e.path,
  query: e.query,
  body: e.body,
  key: e.key,
  operation_id: e.operation_id,
  status: e.status,
  duration_ms: e.duration_ms,
});

/**
 * The request journal: a ring of the last `size` requests, newest first when read. Size 0 turns it off;
 * reading a journal that is off is an error, never a silent empty list.
 */
export class Journal {
  private ring: Stored[] = [];
  private head = 0;
  private nextId = 1;

  constructor(readonly size: number = DEFAULT_JOURNAL_SIZE) {}

  get enabled(): boolean {
    return this.size > 0;
  }

  /** `entry.id` is replaced by the journal's next id */
  add(entry: Stored): void {
    const full = entry;
    full.id = this.nextId++;
    if (this.ring.length < this.size) {
      this.ring.push(full);
    } else {
      this.ring[this.head] = full;
      this.head = (this.head + 1) % this.size;
    }
  }

  clear(): void {
    this.ring = [];
    this.head = 0;
    this.nextId = 1;
  }

  /** matching entries, newest first */
  find(filter: JournalFilter = {}): JournalEntry[] {
    return this.scan(compileFilter(filter)).map(published);
  }

  count(filter: JournalFilter = {}): number {
    return this.scan({ ...compileFilter(filter), limit: Infinity }).length;
  }

  private scan(m: Matcher): Stored[] {
    if (!this.enabled) {
      throw new ApiError(
        409,
        'invalid_request',
        'journal_disabled',
        'The request journal is off (journalSize is 0), so there are no requests to read.',
      );
    }
    const out: Stored[] = [];
    const n = this.ring.length;
    for (let i = 0; i < n && out.length < m.limit; i++) {
      const entry = this.ring[(this.head - 1 - i + 2 * n) % n]!;
      if (m.method !== undefined && entry.method !== m.method) continue;
      if (m.path && !m.path.test(entry.path)) continue;
      if (m.status && !m.status(entry.status)) continue;
      if (m.since !== undefined && entry.at < m.since) continue;
      out.push(entry);
    }
    return out;
  }
}

/** Checks a filter (from code or from the query string) and compiles it; 400 naming the bad field. */
export function compileFilter(filter: JournalFilter): Matcher {
  const m: Matcher = { limit: Infinity };
  if (filter.method !== undefined) {
    if (typeof filter.method !== 'string' || !/^[A-Za-z]{1,16}$/.test(filter.method)) {
      throw badControl('method must be an HTTP method such as GET.', 'method');
    }
    m.method = filter.method.toUpperCase();
  }
  if (filter.path !== undefined) {
    const problem = checkGlob(filter.path);
    if (problem) throw badControl(`path ${problem}.`, 'path');
    m.path = compileGlob(filter.path);
  }
  if (filter.status !== undefined) {
    const s = String(filter.status).toLowerCase();
    if (/^[1-5]\d\d$/.test(s)) {
      const wanted = Number(s);
      m.status = (status) => status === wanted;
    } else if (/^[1-5]xx$/.test(s)) {
      const cls = Number(s[0]);
      m.status = (status) => status !== null && Math.floor(status / 100) === cls;
    } else {
      throw badControl('status must be a status code such as 404, or a class such as 4xx.', 'status');
    }
  }
  if (filter.since !== undefined) {
    const t = filter.since instanceof Date ? filter.since.getTime() : Date.parse(String(filter.since));
    if (Number.isNaN(t)) throw badControl('since must be an ISO 8601 date-time.', 'since');
    m.since = t;
  }
  if (filter.limit !== undefined) {
    const limit = Number(filter.limit);
    if (!Number.isInteger(limit) || limit < 1 || String(filter.limit).trim() === '') {
      throw badControl('limit must be a whole number of at least 1.', 'limit');
    }
    m.limit = limit;
  }
  return m;
}

/** A filter from `?method=&path=&status=&since=&limit=`; unknown parameters are rejected. */
export function filterFromQuery(query: Request['query']): JournalFilter {
  const filter: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!['method', 'path', 'status', 'since', 'limit'].includes(name)) {
      throw badControl(`Unknown filter "${name}"; use method, path, status, since or limit.`, name);
    }
    if (typeof value !== 'string') throw badControl(`${name} must be given once.`, name);
    filter[name] = value;
  }
  return filter;
}

const operationId = (req: Request, res: Response): string | null => {
  const match = res.locals.match as Match | undefined;
  if (!match) return null;
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  return match.route.operations[method as 'GET']?.id ?? null;
};

/**
 * Journals every request it sees once its response is done. Mount it after the control plane, which
 * is therefore never journaled. `pick` chooses the journal once the response is done (under
 * `isolateByKey`, the journal of the request's world); every journal has the same size.
 */
export function journalRequests(
  journal: Journal,
  pick: (req: Request, res: Response) => Journal = () => journal,
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!journal.enabled) return next();
    const at = Date.now();
    const started = performance.now();
    const path = req.path;
    res.once('close', () => {
      // the body's key is read before validation strips it (journalBody); else header or query string
      const key =
        'journalKey' in res.locals ? (res.locals.journalKey as string | undefined) : findKey(req)?.key;
      pick(req, res).add({
        id: 0,
        at,
        method: req.method,
        path,
        query: maskQuery(req.query as Record<string, unknown>),
        body: res.locals.journalBody ?? null,
        key: key === undefined ? null : maskKey(key),
        operation_id: operationId(req, res),
        status: res.writableFinished ? res.statusCode : null,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
      });
    });
    next();
  };
}

/**
 * Keeps a copy of the parsed body as it arrived, before validation trims it. Mount it right after the
 * body parser. The key in a body is masked like any other.
 */
export function journalBody(journal: Journal) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!journal.enabled) return next();
    res.locals.journalKey = findKey(req)?.key;
    if (res.locals.bodyKind === 'none') return next();
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > JOURNAL_BODY_LIMIT) return next();
    if (declared === undefined && JSON.stringify(req.body).length > JOURNAL_BODY_LIMIT) return next();
    const body = structuredClone(req.body) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      if (typeof b.personal_api_key === 'string') b.personal_api_key = maskKey(b.personal_api_key);
    }
    res.locals.journalBody = body;
    next();
  };
}
