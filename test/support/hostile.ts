import { PersonTable } from '../../src/store/people';
import { Table } from '../../src/store/table';
import { spawn } from 'node:child_process';
import http from 'node:http';
import nodePath from 'node:path';
import type { Operation } from '../../src/http/operation';
import { schemas } from '../../src/http/validation';
import type { Store } from '../../src/store/store';
import type { State } from '../../src/store/types';
import { checkResponse, KEYS, ORG, USERS } from './api';

/**
 * Shared tools for the hostile-input suites (robustness, fuzz, timing): a raw HTTP client that sends exact
 * bytes, a `/_health` probe that runs beside a request, a byte-exact serialization of the store, real ids
 * for every path parameter, form encoders, and values derived from schemas/ (valid and wrong per field).
 */

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: unknown;
  /** wall time from sending to the end of the response */
  ms: number;
}

export interface RawOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** the personal API key (default the owner's); null sends none */
  key?: string | null;
  /** default: a new connection per request */
  agent?: http.Agent;
  /** give up (reject) when no answer has arrived after this many ms */
  timeoutMs?: number;
}

/** one kept-alive connection for health probes, so a probe measures the server, not a TCP handshake */
const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Sends exactly `body` (no re-encoding) and resolves with the whole response. A server that answers before
 * reading all of a large body may reset the connection while we still write: once a response has arrived,
 * write errors are ignored.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  o: RawOptions = {},
): Promise<RawResponse> {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...o.headers };
  const key = o.key === undefined ? KEYS.owner : o.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
  if (body) headers['Content-Length'] = String(body.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers, agent: o.agent ?? false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = {};
        if (/^application\/json/.test(res.headers['content-type'] ?? '') && text) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          text,
          body: parsed,
          ms: performance.now() - started,
        });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (o.timeoutMs !== undefined) {
      req.setTimeout(o.timeoutMs, () =>
        req.destroy(new Error(`${method} ${path.slice(0, 200)}: no answer within ${o.timeoutMs} ms`)),
      );
    }
    if (body) req.write(body);
    req.end();
  });
}

/** rawRequest, then the same checks useMock applies to every response (schema, PostHog error shape). */
export async function checkedRequest(
  base: string,
  method: string,
  path: string,
  o: RawOptions = {},
): Promise<RawResponse> {
  const res = await rawRequest(base, method, path, o);
  checkResponse(method, path, res as unknown as Parameters<typeof checkResponse>[2]);
  return res;
}

/**
 * Runs `work` while `/_health` is asked again and again (one probe at a time, then once more after the work
 * ends), and returns the work's result with the slowest probe's latency: a request that blocks the event loop
 * shows up as a slow probe.
 */
export async function probingHealth<T>(
  base: string,
  work: () => Promise<T>,
): Promise<{ result: T; healthMs: number }> {
  let done = false;
  const running = work().finally(() => {
    done = true;
  });
  let slowest = 0;
  const probe = async () => {
    const res = await rawRequest(base, 'GET', '/_health', { key: null, agent: healthAgent });
    if (res.status !== 200) throw new Error(`/_health answered ${res.status}`);
    slowest = Math.max(slowest, res.ms);
  };
  // a failure of the work itself is reported by `await running` below
  running.catch(() => undefined);
  while (!done) await probe();
  await probe();
  return { result: await running, healthMs: slowest };
}

const isMap = (v: unknown): v is Map<unknown, unknown> =>
  Object.prototype.toString.call(v) === '[object Map]';
const ISO_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * The store as text: Maps and tables as their entries, every own key (`__proto__` included) kept. Two equal strings mean
 * byte-identical stores. With `since`, datetimes at or after it (the ones a request stamped) read `<now>`,
 * so two runs of the same request compare equal.
 */
export function serializeStore(state: State, since?: string): string {
  return JSON.stringify(state, (_key, value: unknown) => {
    if (isMap(value) || value instanceof Table || value instanceof PersonTable) {
      // a table's contents (base and overlay read through), never its caches or how it keeps them
      return { $map: [...value.entries()] };
    }
    if (since && typeof value === 'string' && ISO_MICRO.test(value) && value >= since) return '<now>';
    return value;
  });
}

export const nowIso = (): string => new Date().toISOString().replace(/Z$/, '000Z');

// ---------------------------------------------------------------------------------------------------------
// Real ids for each path parameter

/** a real id for each path parameter of `op`, read from the seeded store */
export function realParams(store: Store, op: Operation): Record<string, string> {
  const s = store.state;
  const role = [...s.roles.values()].find(
    (r) => r.organization_id === ORG && [...s.roleMemberships.values()].some((m) => m.role_id === r.id),
  )!;
  const membership = [...s.roleMemberships.values()].find((m) => m.role_id === role.id)!;
  const person = [...s.persons.values()].find((p) => p.team_id === 1)!;
  const config = [...s.pluginConfigs.values()].find(
    (c) => c.team_id === 1 && !c.deleted && s.plugins.get(c.plugin_id)?.kind === 'destination',
  )!;
  const ids: Record<string, string> = {
    organization_id: ORG,
    project_id: '1',
    role_id: role.id,
    user__uuid: USERS.member,
    // /api/users/{uuid}: PostHog answers only the caller's own, as @me
    uuid: '@me',
  };
  const byCollection: Record<string, string> = {
    projects: '1',
    organizations: ORG,
    personal_api_keys: '@current',
    roles: role.id,
    role_memberships: membership.id,
    invites: [...s.invites.values()].find((i) => i.organization_id === ORG)!.id,
    legal_documents: [...s.legalDocuments.values()].find((d) => d.organization_id === ORG)!.id,
    persons: String(person.id),
    pipeline_destination_configs: String(config.id),
    pipeline_frontend_apps_configs: String(
      [...s.pluginConfigs.values()].find(
        (c) => c.team_id === 1 && !c.deleted && s.plugins.get(c.plugin_id)?.kind === 'frontend_app',
      )!.id,
    ),
  };
  const m = /\/([a-z_]+)\/:id/.exec(op.path);
  if (m) ids.id = byCollection[m[1]!]!;
  return ids;
}

/** the operation's path with real ids, except `bad` (a parameter's name) set to `value` */
export function pathOf(store: Store, op: Operation, bad?: string, value?: string): string {
  const ids = realParams(store, op);
  return op.path.replace(/:(\w+)/g, (_m, name: string) => (name === bad ? value! : ids[name]!)) + '/';
}

// ---------------------------------------------------------------------------------------------------------
// Form encoders

/** percent-encoding of the UTF-8 bytes (a lone surrogate becomes U+FFFD, as any UTF-8 encoder makes it) */
const percent = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

export const urlencoded = (fields: [string, string][]): Buffer =>
  Buffer.from(fields.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&'));

export function multipart(
  fields: [string, string][],
  boundary = 'h9tboundary',
): { type: string; body: Buffer } {
  const parts = fields.map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Values from schemas/

export interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  /** a DRF DecimalField written as text (the only patterned fields) */
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  additionalProperties?: boolean | FieldSchema;
}

export const schemaOf = (name: string): FieldSchema => schemas[name] as FieldSchema;
export const typesOf = (s: FieldSchema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];

/** A value the field's schema accepts (the simplest one). */
export function validValue(s: FieldSchema): unknown {
  if (s.enum) return s.enum.find((v) => v !== null);
  const type = typesOf(s).find((t) => t !== 'null');
  switch (type) {
    case 'string':
      if (s.format === 'email') return 'h9t-valid@example.com';
      if (s.format === 'uuid') return USERS.admin;
      if (s.format === 'iana-timezone') return 'Europe/Paris';
      if (s.format === 'date-time') return '2025-01-01T00:00:00Z';
      if (s.format === 'uri') return 'https://example.com';
      return 'h9t';
    case 'integer':
    case 'number':
      return s.minimum !== undefined && s.minimum > 1 ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, validValue(s.properties![k]!)]));
    default:
      return 'h9t';
  }
}

/** A body a request schema accepts: its required fields with valid values. */
export const validBody = (name: string): Record<string, unknown> =>
  validValue(schemaOf(name)) as Record<string, unknown>;

export interface Wrong {
  /** what makes it wrong, for test names */
  why: string;
  value: unknown;
  code: string;
  detail: string;
}

/**
 * Values the field's schema rejects, each with the error DRF answers for it: null where null is not allowed, a
 * non-member of an enum, a malformed string of a format, a value of another type. A field whose schema is `{}`
 * accepts any JSON and has no wrong value (an empty list).
 */
export function wrongValues(s: FieldSchema): Wrong[] {
  const types = typesOf(s);
  if (types.length === 0 && !s.enum) return [];
  const out: Wrong[] = [];
  if (!types.includes('null') && !s.enum?.includes(null)) {
    out.push({ why: 'null', value: null, code: 'null', detail: 'This field may not be null.' });
  }
  const base = types.find((t) => t !== 'null');
  if (s.enum) {
    const value = base === 'integer' ? 999 : 'not-a-choice';
    out.push({
      why: 'a non-member',
      value,
      code: 'invalid_choice',
      detail: `"${value}" is not a valid choice.`,
    });
    // DRF's ChoiceField answers invalid_choice for a value of any other type too: the case above covers it
    return out;
  }
  switch (base) {
    case 'string': {
      const formats: Record<string, [string, string]> = {
        email: ['invalid_input', 'Enter a valid email address.'],
        uuid: ['invalid_input', 'Must be a valid UUID.'],
        'iana-timezone': ['invalid_choice', '"not valid" is not a valid choice.'],
        uri: ['invalid_input', 'Enter a valid URL.'],
        'date-time': [
          'invalid_input',
          'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
        ],
      };
      if (s.format) {
        const [code, detail] = formats[s.format]!;
        out.push({ why: `not a ${s.format}`, value: 'not valid', code, detail });
      }
      out.push({ why: 'a list', value: ['x'], code: 'invalid_input', detail: 'Not a valid string.' });
      if (s.maxLength !== undefined && !s.format && !s.enum) {
        out.push({
          why: 'too long',
          value: 'x'.repeat(s.maxLength + 1),
          code: 'max_length',
          detail: `Ensure this field has no more than ${s.maxLength} characters.`,
        });
      }
      if (s.minLength === 1 && !types.includes('null')) {
        out.push({ why: 'blank', value: '', code: 'blank', detail: 'This field may not be blank.' });
      }
      break;
    }
    case 'integer':
      out.push({
        why: 'a word',
        value: 'abc',
        code: 'invalid_input',
        detail: 'A valid integer is required.',
      });
      if (s.maximum !== undefined && !s.enum) {
        out.push({
          why: 'above the maximum',
          value: s.maximum + 1,
          code: 'max_value',
          detail: `Ensure this value is less than or equal to ${s.maximum}.`,
        });
      }
      break;
    case 'number':
      out.push({ why: 'a word', value: 'abc', code: 'invalid_input', detail: 'A valid number is required.' });
      break;
    case 'boolean':
      out.push({ why: 'a word', value: 'maybe', code: 'invalid_input', detail: 'Must be a valid boolean.' });
      break;
    case 'array':
      out.push({
        why: 'a string',
        value: 'x',
        code: 'invalid_input',
        detail: 'Expected a list of items but got type "str".',
      });
      break;
    case 'object':
      out.push({
        why: 'a string',
        value: 'x',
        code: 'invalid_input',
        detail: 'Expected a dictionary of items but got type "str".',
      });
      out.push({
        why: 'a list',
        value: [1],
        code: 'invalid_input',
        detail: 'Expected a dictionary of items but got type "list".',
      });
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// A server in its own process

export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the CLI (src/cli.ts through ts-node) on a free loopback port, in its own process: a request that
 * blocks its event loop then shows up as a client timeout instead of freezing the test process.
 */
export function spawnServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts'], {
    cwd: nodePath.join(__dirname, '../..'),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // a server whose event loop is blocked cannot run its SIGTERM handler
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, stop });
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
}
