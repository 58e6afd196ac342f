/**
 * `npm run bench`: posthog-mock side by side with the servers users would pick instead, and its scale sweep
 * (issue 10). A script, not a test: it measures this machine, prints the figures and writes them down.
 *
 *   npm run bench                      # everything: about 10 minutes on 2 cores
 *   npm run bench -- --quick           # short rounds and a small sweep (1k, 10k): a smoke test
 *   npm run bench -- --only mock       # only posthog-mock's rounds (no peers, no sweep)
 *   npm run bench -- --only peers      # the side-by-side rounds, no sweep
 *   npm run bench -- --only sweep      # only the scale sweep
 *   npm run bench -- --render          # no measuring: redraw the chart and README tables from latest.json
 *
 * Every target is its own child process, started on 127.0.0.1: posthog-mock from its built CLI
 * (dist/src/cli.js), a bare Express 5 app serving the bytes the mock answered (captured first), json-server
 * 0.17 on a db.json with the same persons and roles, and Prism 5 on PostHog's OpenAPI document
 * ($POSTHOG_REFERENCE_DIR or ../shared/reference; skipped, with the reason recorded, when absent). The two
 * peers are installed on demand into a cache folder outside the package's dependencies. Load comes from
 * autocannon, 20 connections, in alternating rounds (mock, express, json-server, prism, mock, ...) so that
 * the machine's load falls on each alike; medians are reported, and ratios against the peers of the same run.
 *
 * A full run writes bench/results/latest.json, bench/results/latest.svg and the tables of the README's
 * "Performance" section; --quick and --only runs write bench/results/partial/ instead (not committed).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { renderChart } from './chart';
import { request } from './http';
import { round, type Round } from './load';
import { killAllNow, stopAll } from './processes';
import {
  goals,
  pairedRatio,
  renderTables,
  replaceReadmeBlock,
  type Results,
  type ScenarioResult,
  type TargetFigures,
} from './report';
import { SCENARIOS, TARGETS, TARGET_LABELS, type Call, type Ids, type TargetName } from './scenarios';
import { sweepSize, type SweepLimits, type SweepRow } from './sweep';
import {
  AUTH,
  ROOT,
  capture,
  discover,
  ensurePeer,
  openApiDocument,
  startExpress,
  startJsonServer,
  startMock,
  startPrism,
  type Running,
} from './targets';

// ------------------------------------------------------------------------------------------------ options

function parseOptions(argv: string[]): {
  quick: boolean;
  only: 'mock' | 'peers' | 'sweep' | null;
  render: boolean;
} {
  let quick = false;
  let render = false;
  let only: 'mock' | 'peers' | 'sweep' | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--render') render = true;
    else if (arg === '--only' || arg?.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value !== 'mock' && value !== 'peers' && value !== 'sweep') {
        throw new Error(`--only takes mock, peers or sweep, not ${value ?? 'nothing'}`);
      }
      only = value;
    } else throw new Error(`unknown option ${arg} (use --quick, --only mock|peers|sweep, --render)`);
  }
  return { quick, only, render };
}

const { quick, only, render } = parseOptions(process.argv.slice(2));
const SEED = 42;
const CONNECTIONS = 20;
const ROUND_SECONDS = quick ? 1 : 2;
const ROUNDS = quick ? 2 : 6;
const WARMUP_SECONDS = quick ? 0 : 2;
const SIZES = quick ? [1000, 10_000] : [1000, 10_000, 100_000, 1_000_000];
const LIMITS: SweepLimits = quick
  ? { startMs: 30_000, requestMs: 10_000, figureMs: 2_000, samples: 10 }
  : { startMs: 120_000, requestMs: 60_000, figureMs: 15_000, samples: 20 };
const OUT =
  quick || only ? path.join(ROOT, 'bench', 'results', 'partial') : path.join(ROOT, 'bench', 'results');

/** the load of the machine (1, 5, 15 min) when the bench started; the results keep it with the one at the end */
const LOADAVG_START = os.loadavg();

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

// --------------------------------------------------------------------------------------- side by side

type Targets = Partial<Record<TargetName, Running>>;

/** One request of the scenario: an error message unless it answers 2xx (then no round is run against it) */
async function probe(url: string, call: Call, headers: Record<string, string>): Promise<string | undefined> {
  try {
    const answer = await request(`${url}${call.path}`, {
      method: call.method,
      headers,
      body: call.body?.(0),
      timeoutMs: 30_000,
    });
    if (answer.status >= 200 && answer.status < 300) return undefined;
    return `answers ${answer.status} (${answer.body.slice(0, 120).replace(/\s+/g, ' ')})`;
  } catch (err) {
    return `no answer: ${(err as Error).message}`;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function sideBySide(
  running: Targets,
  absent: Partial<Record<TargetName, string>>,
  ids: Ids,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  /** before a round of writes: every target with state back to its start (see Running.fresh) */
  const fresh = async (t: TargetName, round: boolean): Promise<void> => {
    const target = running[t];
    if (target?.fresh && (!round || target.freshEachRound)) running[t] = await target.fresh();
  };
  for (const scenario of SCENARIOS) {
    const targets = {} as ScenarioResult['targets'];
    const calls: Partial<Record<TargetName, Call>> = {};
    for (const t of TARGETS) {
      const target = running[t];
      const call = scenario.call(t, ids);
      if (!target) targets[t] = { none: absent[t] ?? 'not run' };
      else if ('none' in call) targets[t] = { none: call.none };
      else {
        // the bare Express app and json-server have no auth: the header is sent to all alike
        if (scenario.writes) await fresh(t, false);
        const problem = await probe(running[t]!.url, call, AUTH);
        if (problem) targets[t] = { none: problem };
        else calls[t] = call;
      }
    }
    const live = TARGETS.filter((t) => calls[t]);
    const rounds: Partial<Record<TargetName, Round[]>> = {};
    if (WARMUP_SECONDS > 0) {
      for (const t of live) {
        if (scenario.writes) await fresh(t, true);
        await round(running[t]!.url, calls[t]!, AUTH, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
      }
    }
    for (let i = 0; i < ROUNDS; i++) {
      for (const t of live) {
        if (scenario.writes) await fresh(t, true);
        const r = await round(running[t]!.url, calls[t]!, AUTH, {
          connections: CONNECTIONS,
          seconds: ROUND_SECONDS,
        });
        (rounds[t] ??= []).push(r);
        log(
          `  ${scenario.name.padEnd(15)} ${TARGET_LABELS[t].padEnd(17)} round ${i + 1}: ${Math.round(r.reqPerSec)} req/s, ` +
            `p50 ${r.latencyP50} ms, p99 ${r.latencyP99} ms${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`,
        );
      }
    }
    for (const t of live) {
      const rs = rounds[t]!;
      const bad = rs.reduce((n, r) => n + r.non2xx + r.errors, 0);
      const total = rs.reduce((n, r) => n + r.requests, 0);
      targets[t] = bad
        ? { none: `${bad} of ${total} requests failed (non-2xx or errors)` }
        : ({
            reqPerSec: median(rs.map((r) => r.reqPerSec)),
            latencyP50: median(rs.map((r) => r.latencyP50)),
            latencyP99: median(rs.map((r) => r.latencyP99)),
            rounds: rs,
          } satisfies TargetFigures);
    }
    const ratios: ScenarioResult['ratios'] = {};
    const mock = targets.mock;
    for (const t of TARGETS) {
      const peer = targets[t];
      if (t === 'mock' || 'none' in mock || 'none' in peer) continue;
      ratios[t] = pairedRatio(mock.rounds, peer.rounds);
    }
    results.push({ name: scenario.name, label: scenario.label, targets, ratios });
  }
  return results;
}

// -------------------------------------------------------------------------------------------------- main

function git(): Results['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** Written as `npm run format` would (the repository's lint checks it with prettier) */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

function packageVersion(name: string): string {
  const file = require.resolve(`${name}/package.json`, { paths: [ROOT] });
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const status: Results['targets'] = {
    mock: { status: 'ok' },
    express: { status: 'ok', version: packageVersion('express') },
    'json-server': { status: 'ok' },
    prism: { status: 'ok' },
  };
  const running: Targets = {};
  const absent: Partial<Record<TargetName, string>> = {};
  let scenarios: ScenarioResult[] = [];
  if (only !== 'sweep') {
    log(`bench: side by side, ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_SECONDS} s rounds`);
    const mock = await startMock({ seed: SEED }, 60_000);
    if ('failed' in mock) throw new Error(`posthog-mock did not start: ${mock.failed}`);
    running.mock = mock;
    const ids = await discover(mock.url);
    if (only !== 'mock') {
      const express = await startExpress(await capture(mock.url, ids));
      if ('failed' in express) absent.express = express.failed;
      else running.express = express;

      const jsonServer = await ensurePeer('json-server');
      if ('failed' in jsonServer) absent['json-server'] = jsonServer.failed;
      else {
        status['json-server'].version = jsonServer.version;
        const started = await startJsonServer(jsonServer, mock.url);
        if ('failed' in started) absent['json-server'] = started.failed;
        else running['json-server'] = started;
      }

      const document = openApiDocument();
      const prism = typeof document === 'string' ? await ensurePeer('prism') : document;
      if ('failed' in prism) absent.prism = prism.failed;
      else {
        status.prism.version = prism.version;
        const started = await startPrism(prism, document as string, ids);
        if ('failed' in started) absent.prism = started.failed;
        else running.prism = started;
      }
    } else {
      for (const t of ['express', 'json-server', 'prism'] as const) absent[t] = 'not run (--only mock)';
    }
    for (const [t, why] of Object.entries(absent)) {
      status[t as TargetName] = { ...status[t as TargetName], status: why };
      log(`bench: ${TARGET_LABELS[t as TargetName]}: ${why}`);
    }
    scenarios = await sideBySide(running, absent, ids);
    await stopAll();
  } else {
    for (const t of TARGETS) status[t] = { status: 'not run (--only sweep)' };
  }

  const sweep: SweepRow[] = [];
  if (only === null || only === 'sweep') {
    log(`bench: scale sweep, ${SIZES.map((s) => s.toLocaleString('en-US')).join(', ')} persons per project`);
    for (const size of SIZES) {
      const row = await sweepSize(size, SEED, LIMITS);
      sweep.push(row);
      log(`  ${JSON.stringify(row)}`);
    }
  }

  const results: Results = {
    format: 'posthog-mock-bench',
    version: 1,
    date: new Date().toISOString(),
    quick,
    only,
    git: git(),
    machine: {
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
      node: process.versions.node,
      loadavg: [...LOADAVG_START, ...os.loadavg()].map((l) => Math.round(l * 100) / 100),
    },
    settings: {
      connections: CONNECTIONS,
      roundSeconds: ROUND_SECONDS,
      rounds: ROUNDS,
      warmupSeconds: WARMUP_SECONDS,
      seed: SEED,
      persons: null,
    },
    targets: status,
    scenarios,
    sweep,
    goals: goals(scenarios, sweep),
  };
  fs.mkdirSync(OUT, { recursive: true });
  await writeFormatted(path.join(OUT, 'latest.json'), JSON.stringify(results, null, 2));
  await writeViews(results);
}

/** The chart beside the results and, for a full run, the README's tables */
async function writeViews(results: Results): Promise<void> {
  fs.writeFileSync(path.join(OUT, 'latest.svg'), renderChart(results));
  const tables = renderTables(results);
  log(`\n${tables}`);
  log(`bench: wrote ${path.relative(ROOT, OUT)}/latest.json and latest.svg`);
  if (OUT === path.join(ROOT, 'bench', 'results')) {
    const readme = path.join(ROOT, 'README.md');
    await writeFormatted(readme, replaceReadmeBlock(fs.readFileSync(readme, 'utf8'), tables));
    log('bench: updated the tables of the README\'s "Performance" section');
  }
}

/**
 * --render: no measuring; the chart and the README's tables are drawn again from the committed
 * bench/results/latest.json (after a change to how they are drawn). The goals are recomputed too.
 */
async function renderCommitted(): Promise<void> {
  const file = path.join(OUT, 'latest.json');
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
  results.goals = goals(results.scenarios, results.sweep);
  await writeFormatted(file, JSON.stringify(results, null, 2));
  await writeViews(results);
}

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});
(render ? renderCommitted() : main()).then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
