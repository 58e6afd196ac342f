/**
 * What an isolated world costs at the default data (node --expose-gc -r ts-node/register/transpile-only
 * scripts/bench-isolation.ts):
 *
 * - creating one: `Controls.fork()` (an empty overlay over the seeded start, an empty journal, no rules),
 *   the median and 95th percentile over ROUNDS forks;
 * - memory per world: heap growth after making WORLDS worlds through `Worlds.forKey`, divided by WORLDS
 *   (garbage collected before and after, so only what the worlds keep is counted);
 * - the first request with a new key against a request with a key that has its world, through the app
 *   (the new world is made inside that first request).
 *
 * Absolute figures for this machine, for the README; tests never assert times.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { Controls } from '../src/control/controls';
import { Worlds } from '../src/control/worlds';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const WORLDS = Number(process.env.WORLDS ?? 100);
const ORG = '01234567-89ab-4def-8123-456789abcdef';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const ms = (x: number): string => `${x.toFixed(2)} ms`;

function forkCost(): void {
  const base = new Controls(new Store(DEFAULT_SEED_OPTIONS));
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    base.fork();
    times.push(performance.now() - t);
  }
  console.log(
    `create a world (Controls.fork), ${ROUNDS} rounds: median ${ms(median(times))}, p95 ${ms(p95(times))}`,
  );
}

function memoryPerWorld(): void {
  const base = new Controls(new Store(DEFAULT_SEED_OPTIONS));
  const worlds = new Worlds(base, WORLDS);
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < WORLDS; i++) worlds.forKey(`phx_bench_${i}`);
  gc!();
  const after = process.memoryUsage().heapUsed;
  const size = Buffer.byteLength(JSON.stringify(base.state()));
  console.log(
    `memory per world, ${worlds.size} worlds: ${((after - before) / WORLDS / 1024 / 1024).toFixed(2)} MiB ` +
      `(the state as JSON: ${(size / 1024 / 1024).toFixed(2)} MiB)`,
  );
}

async function firstRequest(): Promise<void> {
  const app = createApp({ isolateByKey: true });
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (key: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      http
        .get(
          {
            host: '127.0.0.1',
            port,
            agent,
            path: `/api/organizations/${ORG}/roles/`,
            headers: { Authorization: `Bearer ${key}` },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(performance.now() - t));
          },
        )
        .on('error', reject);
    });
  await get('phx_warm');
  const fresh: number[] = [];
  const known: number[] = [];
  for (let i = 0; i < 50; i++) {
    fresh.push(await get(`phx_new_${i}`));
    known.push(await get('phx_warm'));
  }
  console.log(
    `roles list, first request of a new key: median ${ms(median(fresh))}; a key with its world: median ${ms(median(known))}`,
  );
  agent.destroy();
  server.close();
}

forkCost();
memoryPerWorld();
void firstRequest();
