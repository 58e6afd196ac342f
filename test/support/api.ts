import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Response } from 'supertest';
import { startMockServer, type MockServer } from '../../src/server';
import type { AppOptions } from '../../src/app';
import { compileRoutes, matchRoute } from '../../src/http/router';
import { operations } from '../../src/operations';
import { newAjv } from '../../src/http/validation';
import { SCHEMAS_DIR } from '../../src/paths';
import { LIVE, type ProfileName } from '../../src/profiles';
import { openApiValidator } from './openapi';

export const ORG = '01234567-89ab-4def-8123-456789abcdef';
export const KEYS = {
  owner: 'phx_mock_owner_personal_api_key',
  admin: 'phx_mock_admin_personal_api_key',
  member: 'phx_mock_member_personal_api_key',
  /** Fred Former, who has left the organization (fixtures/former-members.json): no membership */
  former: 'phx_mock_former_member_personal_api_key',
} as const;
export const USERS = {
  owner: '0190a1b2-0001-7000-8000-000000000001',
  admin: '0190a1b2-0002-7000-8000-000000000002',
  member: '0190a1b2-0003-7000-8000-000000000003',
  former: '0190a1b2-0004-7000-8000-000000000004',
} as const;

const routes = compileRoutes(operations);
const ajv = newAjv({ allErrors: true });

/** schemas/live/: the live profile's bodies where their shape is not the docs' (ids `live/<Name>.json`) */
export const LIVE_SCHEMAS_DIR = path.join(SCHEMAS_DIR, 'live');
for (const file of fs.readdirSync(LIVE_SCHEMAS_DIR).filter((f) => f.endsWith('.json'))) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(LIVE_SCHEMAS_DIR, file), 'utf8')) as object);
}

/**
 * Checks one response against what the table says the operation answers: success bodies against the
 * project's schema and PostHog's published schema; every error against PostHog's error body. Under the
 * live profile, an operation live PostHog answers differently is checked against its live status and
 * its live schema (schemas/live/), or for no body at all; the published schema, which documents the
 * docs' answer, is then checked only where the live body keeps the docs' shape.
 */
export function checkResponse(
  method: string,
  url: string,
  res: Response,
  profile: ProfileName = 'docs',
): void {
  const path = new URL(url, 'http://x').pathname;
  const where = `${method} ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const fn = ajv.getSchema('Error.json')!;
    if (!fn(res.body))
      throw new Error(`error body not PostHog's shape: ${where}\n${ajv.errorsText(fn.errors)}`);
    return;
  }
  const match = matchRoute(routes, path);
  if (!match) throw new Error(`success from an unknown route: ${where}`);
  const op = match.route.operations[(method === 'HEAD' ? 'GET' : method) as 'GET']!;
  const live = profile === 'live' ? LIVE[op.id] : undefined;
  expect(res.status).toBe(live?.status ?? op.status);
  if (live ? live.empty : op.status === 204) {
    expect(res.text ?? '').toBe('');
    return;
  }
  const schema = live?.response ?? op.response;
  if (schema) {
    const fn = ajv.getSchema(`${schema}.json`);
    if (!fn) throw new Error(`no schema ${schema}.json`);
    if (!fn(res.body))
      throw new Error(`body does not match ${schema}: ${where}\n${ajv.errorsText(fn.errors)}`);
  }
  if (live?.transform) return;
  const published = openApiValidator(method, match.route.template, op.status);
  if (published && !published(res.body)) {
    throw new Error(
      `body does not match PostHog's published schema: ${where}\n${ajv.errorsText(published.errors)}`,
    );
  }
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** 'json' (default), 'form' (urlencoded) or 'multipart' */
  as?: 'json' | 'form' | 'multipart';
  headers?: Record<string, string>;
}

export interface Api {
  mock: MockServer;
  call(method: string, url: string, options?: CallOptions): Promise<Response>;
  get(url: string, options?: CallOptions): Promise<Response>;
  post(url: string, body?: unknown, options?: CallOptions): Promise<Response>;
  put(url: string, body?: unknown, options?: CallOptions): Promise<Response>;
  patch(url: string, body?: unknown, options?: CallOptions): Promise<Response>;
  delete(url: string, options?: CallOptions): Promise<Response>;
}

/**
 * One mock server per test file (port 0 on 127.0.0.1), reset to its seeded state before each test.
 * Every response is checked by checkResponse before the test sees it.
 */
export function useMock(options: AppOptions = {}): Api {
  const api = {} as Api;
  beforeAll(async () => {
    api.mock = await startMockServer({ seed: { personsPerProject: 60 }, ...options });
  });
  afterAll(async () => api.mock.close());
  // one reset: store, request journal and fault rules back to their start
  beforeEach(() => api.mock.reset());

  api.call = async (method, url, o = {}) => {
    let req = request(api.mock.url)[method.toLowerCase() as 'get'](url);
    const key = o.key === undefined ? KEYS.owner : o.key;
    if (key !== null) req = req.set('Authorization', `Bearer ${key}`);
    for (const [h, v] of Object.entries(o.headers ?? {})) req = req.set(h, v);
    if (o.body !== undefined) {
      if (o.as === 'multipart') {
        for (const [k, v] of Object.entries(o.body as Record<string, unknown>)) {
          req = req.field(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
      } else if (o.as === 'form') {
        req = req.type('form').send(o.body as object);
      } else {
        req = req.send(o.body as object);
      }
    }
    const res = await req;
    checkResponse(method.toUpperCase(), url, res, options.profile);
    return res;
  };
  api.get = (url, o) => api.call('GET', url, o);
  api.post = (url, body, o) => api.call('POST', url, { ...o, body });
  api.put = (url, body, o) => api.call('PUT', url, { ...o, body });
  api.patch = (url, body, o) => api.call('PATCH', url, { ...o, body });
  api.delete = (url, o) => api.call('DELETE', url, o);
  return api;
}

/** PostHog's error body, for exact comparisons. */
export const error = (type: string, code: string, detail: string, attr: string | null = null) => ({
  type,
  code,
  detail,
  attr,
});
export const validation = (code: string, detail: string, attr: string | null = null) =>
  error('validation_error', code, detail, attr);
export const NOT_FOUND = error('invalid_request', 'not_found', 'Not found.');

/**
 * Follows `next` links to the end and returns every result, checking each page on the way: a page that
 * a `next` link leads to must hold results (a link at an exact page boundary to an empty page is a bug),
 * and where the envelope has a `count`, the pages together hold exactly that many results.
 */
export async function collectPages(api: Api, url: string, options?: CallOptions): Promise<unknown[]> {
  const results: unknown[] = [];
  let next: string | null = url;
  let pages = 0;
  let count: unknown;
  while (next) {
    const res = await api.get(next.replace(api.mock.url, ''), options);
    expect(res.status).toBe(200);
    const page = res.body.results as unknown[];
    if (pages > 0 && page.length === 0) throw new Error(`a next link led to an empty page: ${next}`);
    if (pages === 0) count = res.body.count;
    results.push(...page);
    next = res.body.next as string | null;
    if (++pages > 1000) throw new Error('pagination does not end');
  }
  if (typeof count === 'number') expect(results).toHaveLength(count);
  return results;
}

/** The store as seen through its snapshot: a test asserts a failed request changed nothing. */
export function expectUnchanged(api: Api, before: ReturnType<MockServer['app']['store']['snapshot']>): void {
  expect(api.mock.app.store.snapshot()).toEqual(before);
}

/**
 * The named fields of `actual` equal `expected` exactly (nested values included), unlike toMatchObject,
 * which lets nested objects and arrays hold anything more. Fields not named are not compared.
 */
export function expectFields(actual: unknown, expected: Record<string, unknown>): void {
  const object = actual as Record<string, unknown>;
  expect(Object.fromEntries(Object.keys(expected).map((k) => [k, object[k]]))).toEqual(expected);
}
