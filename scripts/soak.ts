/**
 * A bounded soak: starts the built server (dist/src/cli.js) as a child on 127.0.0.1, port 0, fills what the
 * store keeps up to its caps (ACTIVITY_LOG_CAP, PERSON_TIMELINE_CAP: until then memory grows by design),
 * then sends a mixed load for a fixed time from a few concurrent clients (reads, lists, filtered lists,
 * creates, patches, deletes and some hostile requests), samples the server's RSS every second and, every
 * 3 s, its RSS and heap right after a full garbage collection (the server runs with --expose-gc and a
 * preloaded IPC handler; V8 lets garbage pile up for a while, so raw RSS climbs in a minute-long window
 * even when nothing leaks), stops the server with SIGTERM, and prints a summary: requests, answers by
 * status, unexpected answers, p50/p99 latency, RSS (first, last, max; after GC warm and last) and whether
 * memory is flat once warm.
 *
 *   npm run soak                      # 60 s
 *   npm run soak -- --seconds 20 --clients 4 --seed 7
 *
 * Exit code 0 when no answer was unexpected (no 5xx, no dropped connection, every status the one the request
 * expects) and RSS is flat once warm; 1 otherwise. Only loopback traffic.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTIVITY_LOG_CAP, PERSON_TIMELINE_CAP } from '../src/store/store';

const ROOT = path.join(__dirname, '..');
const ORG = '01234567-89ab-4def-8123-456789abcdef';
const KEY = 'phx_mock_owner_personal_api_key';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a whole number > 0`);
  return value;
}
const SECONDS = option('seconds', 60);
const CLIENTS = option('clients', 8);
const SEED = option('seed', 9);
/** RSS samples in the first seconds of the mixed load are still the warm-up */
const WARM_S = Math.min(10, Math.max(2, Math.floor(SECONDS / 6)));
/** persons of project 1 the load patches (each grows a properties timeline up to its cap) */
const PERSONS = 30;
/** property keys the load sets on a person, and their longest value */
const KEYS = 50;
const VALUE_MAX = 200;

/** a small seeded generator (mulberry32), so two soaks with one seed send the same mix */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------
// The server

interface Memory {
  /** MB */
  rss: number;
  /** MB of V8 heap in use */
  heapUsed: number;
}

interface Server {
  url: string;
  pid: number;
  /** a full garbage collection in the server, then its memory: what it holds, without garbage */
  measure(): Promise<Memory>;
  stop(): Promise<number | null>;
}

/**
 * Preloaded into the server process (which runs with --expose-gc): on the soak's message it collects garbage
 * and answers its memory. Nothing else of the CLI changes; the IPC channel does not keep the process alive.
 */
const PRELOAD = `
process.channel && process.channel.unref();
process.on('message', (m) => {
  if (m !== 'gc') return;
  global.gc();
  const u = process.memoryUsage();
  process.send({ rss: u.rss / 1048576, heapUsed: u.heapUsed / 1048576 });
});
`;

function startServer(): Promise<Server> {
  const cli = path.join(ROOT, 'dist/src/cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/src/cli.js is missing: run `npm run build` first');
  const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-mock-soak-')), 'gc.js');
  fs.writeFileSync(preload, PRELOAD);
  const child = spawn(process.execPath, ['--expose-gc', '-r', preload, cli], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        resolve({
          url: match[1]!,
          pid: child.pid!,
          measure: () =>
            new Promise<Memory>((done) => {
              child.once('message', (m) => done(m as Memory));
              child.send('gc');
            }),
          stop: async () => {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            const code = await exited;
            clearTimeout(timer);
            fs.rmSync(path.dirname(preload), { recursive: true, force: true });
            return code;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
}

/** resident set size of a process in MB: /proc on Linux, ps elsewhere */
function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (kb) return kb / 1024;
  } catch {
    // not Linux
  }
  return (
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    ) / 1024
  );
}

// ---------------------------------------------------------------------------------------------------------
// The load

interface Step {
  name: string;
  method: string;
  path: string;
  body?: string;
  type?: string;
  /** the statuses this request may answer (anything else is an unexpected answer) */
  expect: number[];
  /** called with the JSON answer of a 2xx */
  then?: (body: unknown) => void;
}

const json = (value: unknown) => JSON.stringify(value);
const CATASTROPHIC = json([
  { key: 'email', operator: 'regex', value: '^([a-z0-9]+|[a-z0-9.]+)*$', type: 'person' },
]);

/** one client's requests: it creates its own roles and invites and deletes them again, so the data stays bounded */
function client(n: number, next: () => number, persons: number[]) {
  const roles: string[] = [];
  const invites: string[] = [];
  let counter = 0;
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const person = () => pick(persons);

  const steps: [number, () => Step][] = [
    // reads and lists
    [
      8,
      () => ({
        name: 'read project',
        method: 'GET',
        path: `/api/organizations/${ORG}/projects/1/`,
        expect: [200],
      }),
    ],
    [
      6,
      () => ({
        name: 'read person',
        method: 'GET',
        path: `/api/projects/1/persons/${person()}/`,
        expect: [200, 404],
      }),
    ],
    [
      6,
      () => ({
        name: 'list persons',
        method: 'GET',
        path: '/api/projects/1/persons/?limit=50',
        expect: [200],
      }),
    ],
    [
      4,
      () => ({ name: 'list roles', method: 'GET', path: `/api/organizations/${ORG}/roles/`, expect: [200] }),
    ],
    [
      3,
      () => ({
        name: 'list members',
        method: 'GET',
        path: `/api/organizations/${ORG}/members/`,
        expect: [200],
      }),
    ],
    [
      3,
      () => ({
        name: 'activity',
        method: 'GET',
        path: `/api/projects/1/persons/activity/?limit=20&page=3`,
        expect: [200],
      }),
    ],
    // filtered lists and people of insights
    [
      4,
      () => ({
        name: 'search persons',
        method: 'GET',
        path: '/api/projects/1/persons/?search=a',
        expect: [200],
      }),
    ],
    [
      3,
      () => ({
        name: 'filter persons',
        method: 'GET',
        path: `/api/projects/1/persons/?properties=${encodeURIComponent(json([{ key: 'email', operator: 'icontains', value: 'e', type: 'person' }]))}`,
        expect: [200],
      }),
    ],
    [
      3,
      () => ({
        name: 'funnel people',
        method: 'GET',
        path: '/api/projects/1/persons/funnel/?funnel_step=2',
        expect: [200],
      }),
    ],
    [
      2,
      () => ({
        name: 'trends people',
        method: 'GET',
        path: '/api/projects/1/persons/trends/?date_from=-7d',
        expect: [200],
      }),
    ],
    // writes
    [
      4,
      () => ({
        name: 'create role',
        method: 'POST',
        path: `/api/organizations/${ORG}/roles/`,
        body: json({ name: `soak ${n}-${++counter}` }),
        expect: [201],
        then: (body) => roles.push((body as { id: string }).id),
      }),
    ],
    [
      3,
      () =>
        roles.length
          ? {
              name: 'rename role',
              method: 'PATCH',
              path: `/api/organizations/${ORG}/roles/${pick(roles)}/`,
              body: json({ name: `soak ${n}-${++counter}` }),
              expect: [200],
            }
          : { name: 'list roles', method: 'GET', path: `/api/organizations/${ORG}/roles/`, expect: [200] },
    ],
    [
      4,
      () =>
        roles.length > 5 || (roles.length && next() < 0.5)
          ? {
              name: 'delete role',
              method: 'DELETE',
              path: `/api/organizations/${ORG}/roles/${roles.shift()}/`,
              expect: [204],
            }
          : { name: 'list roles', method: 'GET', path: `/api/organizations/${ORG}/roles/`, expect: [200] },
    ],
    [
      2,
      () => ({
        name: 'create invite',
        method: 'POST',
        path: `/api/organizations/${ORG}/invites/`,
        body: json({ target_email: `soak-${n}-${++counter}@example.com`, level: 1 }),
        expect: [201],
        then: (body) => invites.push((body as { id: string }).id),
      }),
    ],
    [
      2,
      () =>
        invites.length
          ? {
              name: 'delete invite',
              method: 'DELETE',
              path: `/api/organizations/${ORG}/invites/${invites.shift()}/`,
              expect: [204],
            }
          : {
              name: 'list invites',
              method: 'GET',
              path: `/api/organizations/${ORG}/invites/`,
              expect: [200],
            },
    ],
    [
      5,
      () => ({
        name: 'patch person',
        method: 'PATCH',
        path: `/api/projects/1/persons/${person()}/`,
        body: json({
          properties: { [`k${Math.floor(next() * KEYS)}`]: 'x'.repeat(Math.floor(next() * VALUE_MAX)) },
        }),
        expect: [200, 404],
      }),
    ],
    [
      3,
      () => ({
        name: 'patch project',
        method: 'PATCH',
        path: `/api/organizations/${ORG}/projects/1/`,
        body: json({ name: `Hedgebox ${++counter}` }),
        expect: [200],
      }),
    ],
    // hostile
    [
      1,
      () => ({
        name: 'malformed JSON',
        method: 'PATCH',
        path: `/api/organizations/${ORG}/projects/1/`,
        body: '{"name": ',
        expect: [400],
      }),
    ],
    [
      1,
      () => ({
        name: 'deep JSON',
        method: 'PATCH',
        path: `/api/projects/1/persons/${person()}/`,
        body: `{"properties":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
        expect: [400, 404],
      }),
    ],
    [
      1,
      () => ({
        name: 'oversized body',
        method: 'POST',
        path: `/api/organizations/${ORG}/roles/`,
        body: `{"name":"${'a'.repeat(6 * 1024 * 1024)}"}`,
        expect: [413],
      }),
    ],
    [
      1,
      () => ({
        name: 'catastrophic regex',
        method: 'GET',
        path: `/api/projects/1/persons/?properties=${encodeURIComponent(CATASTROPHIC)}`,
        expect: [200],
      }),
    ],
    [
      1,
      () => ({
        name: 'huge funnel_step',
        method: 'GET',
        path: '/api/projects/1/persons/funnel/?funnel_step=9007199254740991',
        expect: [200],
      }),
    ],
    [
      1,
      () => ({
        name: 'bracketed form',
        method: 'PATCH',
        path: `/api/projects/1/persons/${person()}/`,
        body: 'properties%5Bx%5D%5B100000000%5D=1',
        type: 'application/x-www-form-urlencoded',
        expect: [200, 404],
      }),
    ],
  ];
  const total = steps.reduce((sum, [w]) => sum + w, 0);
  return (): Step => {
    let r = next() * total;
    for (const [w, make] of steps) {
      r -= w;
      if (r < 0) return make();
    }
    return steps[0]![1]();
  };
}

interface Tally {
  requests: number;
  byStatus: Map<string, number>;
  unexpected: Map<string, number>;
  latencies: number[];
}

async function run(
  url: string,
  until: () => boolean,
  steps: (n: number) => () => Step | undefined,
  tally: Tally,
) {
  const workers = Array.from({ length: CLIENTS }, async (_, n) => {
    const nextStep = steps(n);
    while (!until()) {
      const step = nextStep();
      if (!step) return;
      const started = performance.now();
      let status: string;
      let body: unknown;
      try {
        const res = await fetch(url + step.path, {
          method: step.method,
          headers: {
            Authorization: `Bearer ${KEY}`,
            ...(step.body ? { 'Content-Type': step.type ?? 'application/json' } : {}),
          },
          body: step.body,
        });
        status = String(res.status);
        const text = await res.text();
        body =
          text && res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
      } catch (err) {
        status = `network error (${(err as Error).message})`;
      }
      tally.latencies.push(performance.now() - started);
      tally.requests += 1;
      tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
      if (!step.expect.map(String).includes(status)) {
        const key = `${step.name} → ${status}`;
        tally.unexpected.set(key, (tally.unexpected.get(key) ?? 0) + 1);
      } else if (Number(status) < 300) {
        step.then?.(body);
      }
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------------------------
// The summary

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** least-squares slope of y over x */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * The fill: every patched person's timeline to its cap with the properties the mixed load converges to (all
 * its keys, at its average value length: a fill larger than the steady state would hide a leak behind the
 * shrinking), then a whole activity log of the entries the mixed load writes. Returns the persons.
 */
async function fill(url: string, tally: Tally): Promise<number[]> {
  const res = await fetch(`${url}/api/projects/1/persons/?limit=${PERSONS}`, {
    headers: { Authorization: `Bearer ${KEY}` },
  });
  const persons = ((await res.json()) as { results: { id: number }[] }).results.map((p) => p.id);
  const queue: Step[] = [];
  for (let round = 0; round <= PERSON_TIMELINE_CAP; round++) {
    for (const id of persons) {
      const properties = Object.fromEntries(
        Array.from({ length: KEYS }, (_, k) => [`k${k}`, `${round % 10}`.repeat(VALUE_MAX / 2)]),
      );
      queue.push({
        name: 'fill timeline',
        method: 'PATCH',
        path: `/api/projects/1/persons/${id}/`,
        body: json({ properties }),
        expect: [200],
      });
    }
  }
  // then a whole log of the entries the mixed load writes (one-key person patches, project renames), which
  // pushes out the large entries of the 50-key patches above
  for (let i = 0; i <= ACTIVITY_LOG_CAP; i++) {
    queue.push(
      i % 2
        ? {
            name: 'fill activity',
            method: 'PATCH',
            path: `/api/projects/1/persons/${persons[i % persons.length]}/`,
            body: json({ properties: { [`k${i % KEYS}`]: `${i % 10}`.repeat(VALUE_MAX / 2) } }),
            expect: [200],
          }
        : {
            name: 'fill activity',
            method: 'PATCH',
            path: `/api/organizations/${ORG}/projects/1/`,
            body: json({ name: `Hedgebox fill ${i}` }),
            expect: [200],
          },
    );
  }
  await run(
    url,
    () => queue.length === 0,
    () => () => queue.shift(),
    tally,
  );
  return persons;
}

async function main(): Promise<void> {
  const server = await startServer();
  const tally: Tally = { requests: 0, byStatus: new Map(), unexpected: new Map(), latencies: [] };
  console.log(
    `soak: ${SECONDS} s, ${CLIENTS} clients, seed ${SEED}, server ${server.url} (pid ${server.pid})`,
  );
  const filling = Date.now();
  const persons = await fill(server.url, tally);
  console.log(
    `fill: ${tally.requests} requests in ${((Date.now() - filling) / 1000).toFixed(1)} s (timelines of ` +
      `${persons.length} persons to ${PERSON_TIMELINE_CAP} points, activity log to ${ACTIVITY_LOG_CAP}), ` +
      `RSS ${rssMb(server.pid).toFixed(1)} MB`,
  );
  // the summary is about the mixed load; the fill's unexpected answers (if any) stay in `unexpected`
  tally.requests = 0;
  tally.latencies = [];
  tally.byStatus = new Map();
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const samples: [number, number][] = [[0, rssMb(server.pid)]];
  const sampler = setInterval(() => samples.push([(Date.now() - started) / 1000, rssMb(server.pid)]), 1000);
  // every few seconds, the memory after a full collection: the trend of what the server holds
  const collected: [number, Memory][] = [[0, await server.measure()]];
  let measuring = false;
  const collector = setInterval(() => {
    if (measuring) return;
    measuring = true;
    void server.measure().then((m) => {
      collected.push([(Date.now() - started) / 1000, m]);
      measuring = false;
    });
  }, 3000);
  await run(
    server.url,
    () => Date.now() >= deadline,
    (n) => client(n, random(SEED * 1000 + n), persons),
    tally,
  );
  clearInterval(sampler);
  clearInterval(collector);
  while (measuring) await new Promise((r) => setTimeout(r, 50));
  collected.push([(Date.now() - started) / 1000, await server.measure()]);
  samples.push([(Date.now() - started) / 1000, rssMb(server.pid)]);
  const exitCode = await server.stop();

  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const mb = (v: number) => `${v.toFixed(1)} MB`;
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  const elapsed = (Date.now() - started) / 1000;
  const warm = collected.filter(([t]) => t >= WARM_S);
  const secondHalf = warm.slice(Math.floor(warm.length / 2));
  const span = (secondHalf.at(-1)?.[0] ?? 0) - (secondHalf[0]?.[0] ?? 0);
  const trend = (key: keyof Memory) => slope(secondHalf.map(([t, m]) => [t, m[key]])) * span;
  const warmRss = warm[0]?.[1].rss ?? collected[0]![1].rss;
  const warmHeap = warm[0]?.[1].heapUsed ?? collected[0]![1].heapUsed;
  // flat: over the second half of the warm samples, the fitted growth of RSS and of the heap (both measured
  // after a full collection) is under 5% of their warm values
  const flat = secondHalf.length >= 3 && trend('rss') < 0.05 * warmRss && trend('heapUsed') < 0.05 * warmHeap;

  console.log(
    `requests: ${tally.requests} in ${elapsed.toFixed(1)} s (${(tally.requests / elapsed).toFixed(0)}/s)`,
  );
  console.log(
    `by status: ${[...tally.byStatus]
      .sort()
      .map(([s, c]) => `${s}: ${c}`)
      .join(', ')}`,
  );
  console.log(
    `unexpected answers: ${tally.unexpected.size ? [...tally.unexpected].map(([k, c]) => `${k} ×${c}`).join('; ') : 'none'}`,
  );
  console.log(
    `latency: p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, ` +
      `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
  );
  console.log(
    `RSS (sampled every second): first ${mb(samples[0]![1])}, last ${mb(samples.at(-1)![1])}, ` +
      `max ${mb(Math.max(...samples.map(([, r]) => r)))}`,
  );
  console.log(
    `after a full GC (every 3 s): RSS warm (${WARM_S} s) ${mb(warmRss)}, last ${mb(collected.at(-1)![1].rss)}; ` +
      `heap warm ${mb(warmHeap)}, last ${mb(collected.at(-1)![1].heapUsed)}`,
  );
  console.log(
    `once warm: ${flat ? 'flat' : 'GROWING'} (second half, fitted: RSS ${signed(trend('rss'))} MB, ` +
      `heap ${signed(trend('heapUsed'))} MB over ${span.toFixed(0)} s; flat means under 5% of the warm values)`,
  );
  console.log(`server exit code after SIGTERM: ${exitCode}`);
  const ok = tally.unexpected.size === 0 && flat && exitCode === 0;
  console.log(ok ? 'soak: OK' : 'soak: FAILED');
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
