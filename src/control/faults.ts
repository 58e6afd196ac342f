import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { authenticate, findKey, type AuthOptions } from '../http/auth';
import { ApiError, type ErrorBody } from '../http/errors';
import type { Store } from '../store/store';
import { Delays, MAX_DELAY_MS } from './delays';
import { badControl } from './errors';
import { checkGlob, compileGlob, type Glob } from './glob';
import { SeededRandom } from './random';

/** What a test asks for: answer requests matching `method` and `path` with `status` (and/or a delay). */
export interface FaultRuleInput {
  /** GET, POST, ...; any method when absent */
  method?: string;
  /** a path glob: `*` within a segment, `**` across segments */
  path: string;
  /** the status to answer with (400-599); absent for a rule that only delays */
  status?: number;
  /** the body to answer with; PostHog's error body for `status` when absent */
  body?: unknown;
  /** wait this long first (0-60000 ms) */
  delay_ms?: number;
  /** fire this many times, then stop; for ever when absent */
  times?: number;
  /** fire with this probability (0-1], drawn from the seeded fault stream */
  probability?: number;
  /** `Retry-After` seconds (default 1 for 429, none otherwise) */
  retry_after?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** fires left, or null for a rule without `times` */
  remaining: number | null;
  /** how often it has fired */
  fired: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const FIELDS = ['method', 'path', 'status', 'body', 'delay_ms', 'times', 'probability', 'retry_after'];
export const MAX_FAULT_RULES = 1000;

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Checks one rule; a 400 names the first field that is wrong (attr `rules__0__status` and so on). */
export function checkRule(input: unknown, attrPrefix = ''): FaultRuleInput {
  const attr = (field: string): string => `${attrPrefix}${field}`;
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw badControl('A fault rule must be a JSON object.', attrPrefix.replace(/__$/, '') || null);
  }
  const rule = input as Record<string, unknown>;
  for (const field of Object.keys(rule)) {
    if (!FIELDS.includes(field)) {
      throw badControl(`Unknown field "${field}"; a rule has ${FIELDS.join(', ')}.`, attr(field));
    }
  }
  const out: FaultRuleInput = { path: '' };
  if (rule.method !== undefined) {
    if (typeof rule.method !== 'string' || !METHODS.includes(rule.method.toUpperCase())) {
      throw badControl(`method must be one of ${METHODS.join(', ')}.`, attr('method'));
    }
    out.method = rule.method.toUpperCase();
  }
  if (rule.path === undefined)
    throw badControl('path is required: a path glob such as /api/**.', attr('path'));
  const problem = checkGlob(rule.path);
  if (problem) throw badControl(`path ${problem}.`, attr('path'));
  out.path = rule.path as string;
  if (rule.status !== undefined) {
    if (!isInt(rule.status, 400, 599))
      throw badControl('status must be a whole number from 400 to 599.', attr('status'));
    out.status = rule.status;
  }
  if (rule.delay_ms !== undefined) {
    if (!isInt(rule.delay_ms, 0, MAX_DELAY_MS)) {
      throw badControl(`delay_ms must be a whole number from 0 to ${MAX_DELAY_MS}.`, attr('delay_ms'));
    }
    out.delay_ms = rule.delay_ms;
  }
  if (out.status === undefined && out.delay_ms === undefined) {
    throw badControl('A rule needs a status, a delay_ms or both.', attr('status'));
  }
  if (rule.body !== undefined) {
    if (out.status === undefined) throw badControl('body needs a status to answer with.', attr('body'));
    out.body = rule.body;
  }
  if (rule.times !== undefined) {
    if (!isInt(rule.times, 1, 1_000_000))
      throw badControl('times must be a whole number of at least 1.', attr('times'));
    out.times = rule.times;
  }
  if (rule.probability !== undefined) {
    const p = rule.probability;
    if (typeof p !== 'number' || !(p > 0 && p <= 1)) {
      throw badControl('probability must be a number above 0 and at most 1.', attr('probability'));
    }
    out.probability = p;
  }
  if (rule.retry_after !== undefined) {
    if (!isInt(rule.retry_after, 0, 86_400)) {
      throw badControl('retry_after must be a whole number of seconds from 0 to 86400.', attr('retry_after'));
    }
    out.retry_after = rule.retry_after;
  }
  return out;
}

/**
 * The fault rules, in the order they were added: the first live rule that matches a request (and wins
 * its probability draw) fires, and `times` uses it up. Draws come from a seeded stream, so runs repeat.
 */
export class Faults {
  private rules: { rule: FaultRule; glob: Glob }[] = [];
  private nextId = 1;
  readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  add(input: FaultRuleInput): FaultRule {
    const checked = checkRule(input);
    if (this.rules.length >= MAX_FAULT_RULES) {
      throw badControl(`At most ${MAX_FAULT_RULES} fault rules; delete some first.`);
    }
    const rule: FaultRule = {
      id: `fault_${this.nextId++}`,
      ...checked,
      remaining: checked.times ?? null,
      fired: 0,
    };
    this.rules.push({ rule, glob: compileGlob(checked.path) });
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.rules.map(({ rule }) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter(({ rule }) => rule.id !== id);
    return this.rules.length < before;
  }

  /** no rules, ids from 1, and the random stream from its first draw */
  clear(): void {
    this.rules = [];
    this.nextId = 1;
    this.random.reset();
  }

  /** Whether some live rule matches this method and path (before any probability draw). */
  matches(method: string, path: string): boolean {
    return this.rules.some(
      ({ rule, glob }) =>
        rule.remaining !== 0 && (rule.method === undefined || rule.method === method) && glob.test(path),
    );
  }

  /** The rule that fires for this request, if any; firing counts against its `times`. */
  take(method: string, path: string): FaultRule | undefined {
    for (const { rule, glob } of this.rules) {
      if (rule.remaining === 0) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (!glob.test(path)) continue;
      if (rule.probability !== undefined && this.random.next() >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining -= 1;
      rule.fired += 1;
      return rule;
    }
    return undefined;
  }
}

/** `Prefer: code=503` and `Prefer: delay=200` (one header, comma-separated, or several); others ignored. */
export function parsePrefer(header: string | string[] | undefined): { code?: number; delay?: number } {
  if (header === undefined) return {};
  const out: { code?: number; delay?: number } = {};
  const parts = (Array.isArray(header) ? header.join(',') : header).split(/[,;]/);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (name !== 'code' && name !== 'delay') continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value;
    if (name === 'code') {
      if (!/^\d{3}$/.test(value) || Number(value) < 400 || Number(value) > 599) {
        throw badControl(`Prefer code must be a status from 400 to 599, got "${shown}".`, 'Prefer');
      }
      out.code = Number(value);
    } else {
      if (!/^\d{1,5}$/.test(value) || Number(value) > MAX_DELAY_MS) {
        throw badControl(
          `Prefer delay must be whole milliseconds from 0 to ${MAX_DELAY_MS}, got "${shown}".`,
          'Prefer',
        );
      }
      out.delay = Number(value);
    }
  }
  return out;
}

const seconds = (n: number): string => `${n} second${n === 1 ? '' : 's'}`;

/** PostHog's error body (and headers) for a forced status. */
export function forcedError(status: number, req: Request, retryAfter?: number): ApiError {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined || status === 429) headers['Retry-After'] = String(retryAfter ?? 1);
  const make = (type: ErrorBody['type'], code: string, detail: string): ApiError =>
    new ApiError(status, type, code, detail, null, headers);
  switch (status) {
    case 400:
      return make('validation_error', 'invalid_input', 'Invalid input.');
    case 401:
      return make(
        'authentication_error',
        'authentication_failed',
        `Personal API key found in request ${findKey(req)?.where ?? 'Authorization header'} is invalid.`,
      );
    case 403:
      return make(
        'authentication_error',
        'permission_denied',
        'You do not have permission to perform this action.',
      );
    case 404:
      return make('invalid_request', 'not_found', 'Not found.');
    case 405:
      return make('invalid_request', 'method_not_allowed', `Method "${req.method}" not allowed.`);
    case 415:
      return make(
        'invalid_request',
        'unsupported_media_type',
        `Unsupported media type "${req.headers['content-type'] ?? ''}" in request.`,
      );
    case 429:
      return make(
        'throttled_error',
        'throttled',
        `Request was throttled. Expected available in ${seconds(retryAfter ?? 1)}.`,
      );
    case 500:
      return make('server_error', 'error', 'A server error occurred.');
    case 502:
      return make('server_error', 'bad_gateway', 'Bad gateway.');
    case 503:
      return make('server_error', 'service_unavailable', 'Service temporarily unavailable, try again later.');
    case 504:
      return make('server_error', 'gateway_timeout', 'Gateway timeout.');
    default:
      return status >= 500
        ? make('server_error', 'error', 'A server error occurred.')
        : make('invalid_request', 'error', `${STATUS_CODES[status] ?? 'Client error'}.`);
  }
}

export interface FaultLayerOptions extends AuthOptions {
  /** the fault rules, pending delays and store of this request (under `isolateByKey`, its key's world) */
  getControls(req: Request, res: Response): { faults: Faults; delays: Delays; store: Store };
}

/**
 * The fault layer, mounted after the body parser and before dispatch. Authentication comes first: a
 * request without a valid key gets its 401, never a fault. Then `Prefer` and the first live rule decide
 * a delay and/or a forced answer; a request nothing applies to passes straight through.
 */
export function injectFaults(options: FaultLayerOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const { faults, delays, store } = options.getControls(req, res);
    if (
      req.headers.prefer === undefined &&
      !(faults.active && faults.matches(req.method, req.baseUrl + req.path))
    ) {
      return next();
    }
    try {
      authenticate(req, store, options);
    } catch {
      return next();
    }
    let prefer: ReturnType<typeof parsePrefer>;
    try {
      prefer = parsePrefer(req.headers.prefer);
    } catch (err) {
      return next(err);
    }
    const rule = faults.take(req.method, req.baseUrl + req.path);
    const delay = Math.min((rule?.delay_ms ?? 0) + (prefer.delay ?? 0), MAX_DELAY_MS);
    const status = prefer.code ?? rule?.status;
    const answer = (): void => {
      if (status === undefined) return next();
      if (rule?.body !== undefined && prefer.code === undefined) {
        const headers = rule.retry_after !== undefined ? { 'Retry-After': String(rule.retry_after) } : {};
        res.status(status).set(headers).json(rule.body);
        return;
      }
      const error = forcedError(status, req, prefer.code === undefined ? rule?.retry_after : undefined);
      res.status(error.status).set(error.headers).json(error.body);
    };
    // nothing to wait for: stay synchronous, so a request no rule touches costs only the checks above
    if (delay === 0) return answer();
    delays.wait(delay, res).then((elapsed) => {
      if (elapsed) answer();
    }, next);
  };
}
