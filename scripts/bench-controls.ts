/**
 * What the controls cost, measured as ratios in one run (npx ts-node --transpile-only scripts/bench-controls.ts):
 *
 * - a retrieve through the bare table pipeline (the reference: route, body, dispatch, no controls),
 *   against the full app with the journal on, and with the journal plus ten fault rules that do not
 *   match (so every request is authenticated and checked against each rule);
 * - POST-free reset of the default data (controls.reset(): store, journal, faults), in ms.
 *
 * Rounds alternate between the apps so that machine load falls on each alike; medians are reported.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../src/app';
import { parseBody } from '../src/http/body';
import { dispatch, errorHandler, findRoute } from '../src/http/dispatch';
import { compileRoutes } from '../src/http/router';
import { operations } from '../src/operations';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';

const ORG = '01234567-89ab-4def-8123-456789abcdef';
const ROLE = '0190a1b2-2002-7000-8000-000000000002';
const PATH = `/api/organizations/${ORG}/roles/${ROLE}/`;
const KEY = 'phx_mock_owner_personal_api_key';
const PER_ROUND = Number(process.env.PER_ROUND ?? 250);
const ROUNDS = Number(process.env.ROUNDS ?? 40);

/** the table pipeline with no controls at all: what createApp was before them */
function bareApp(): express.Express {
  const store = new Store(DEFAULT_SEED_OPTIONS);
  const app = express();
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(
    '/api',
    findRoute(compileRoutes(operations)),
    parseBody,
    dispatch({ getStore: () => store, strictKeys: false }),
  );
  app.use(errorHandler);
  return app;
}

function listen(app: express.Express): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: PATH, agent, headers: { Authorization: `Bearer ${KEY}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
  });
}

/** µs of wall time and of this process's CPU time per request (client and server share the process) */
async function round(port: number): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++) {
    if ((await get(port)) !== 200) throw new Error('retrieve did not answer 200');
  }
  const used = process.cpuUsage(cpu);
  return {
    wall: ((performance.now() - start) * 1000) / PER_ROUND,
    cpu: (used.user + used.system) / PER_ROUND,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number, ref: number): string => `${(((x - ref) / ref) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const journaled = createApp();
  const faulted = createApp();
  for (let i = 0; i < 10; i++)
    faulted.controls.fault({ path: `/api/projects/*/nothing_${i}/**`, status: 503 });
  const apps = {
    bare: bareApp(),
    'journal off': createApp({ journalSize: 0 }),
    'journal ring 10': createApp({ journalSize: 10 }),
    journal: journaled,
    'journal+10 rules': faulted,
  };
  const servers = Object.fromEntries(
    await Promise.all(Object.entries(apps).map(async ([name, app]) => [name, await listen(app)] as const)),
  );
  const ports = Object.fromEntries(
    Object.entries(servers).map(([n, s]) => [n, (s.address() as AddressInfo).port]),
  );

  for (const port of Object.values(ports)) await round(port); // warm up
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(ports).map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(ports).map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, port] of Object.entries(ports)) {
      const t = await round(port);
      wall[name]!.push(t.wall);
      cpu[name]!.push(t.cpu);
    }
  }
  const ref = median(wall.bare!);
  const refCpu = median(cpu.bare!);
  console.log(
    `retrieve ${PATH} over keep-alive HTTP, ${ROUNDS} alternating rounds × ${PER_ROUND} requests, medians:`,
  );
  for (const name of Object.keys(ports)) {
    const w = median(wall[name]!);
    const c = median(cpu[name]!);
    const vs = (x: number, r: number): string => (name === 'bare' ? 'reference' : pct(x, r));
    console.log(
      `  ${name.padEnd(18)} wall ${w.toFixed(1).padStart(7)} µs (${vs(w, ref)})   cpu ${c.toFixed(1).padStart(7)} µs (${vs(c, refCpu)})`,
    );
  }
  console.log(
    `  journal entries kept: ${journaled.controls.countRequests()} (ring of ${journaled.controls.journal.size})`,
  );

  // reset of the default data: store, journal and fault rules together
  const resets: number[] = [];
  for (let i = 0; i < 40; i++) {
    journaled.store.state.roles.clear();
    const t = performance.now();
    journaled.controls.reset();
    resets.push(performance.now() - t);
  }
  const sorted = [...resets].sort((a, b) => a - b);
  const s = journaled.store.state;
  console.log(
    `reset of the default data (${s.persons.size} persons, ${s.projects.size} projects, ${s.users.size} users), 40 runs: ` +
      `median ${median(resets).toFixed(2)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(2)} ms, ` +
      `${((median(resets) * 1000) / ref).toFixed(0)}× a bare retrieve`,
  );
  agent.destroy();
  for (const server of Object.values(servers)) server.close();
}

void main();
