/**
 * The figures of the README's "Performance" section are the committed results of `npm run bench`
 * (bench/results/latest.json), and so is the chart: a hand edit of either, or results committed without
 * the README (or the other way round), fails here. Only the documents are checked, never a speed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderChart } from '../scripts/bench/chart';
import { goals, readmeBlock, renderTables, type Results } from '../scripts/bench/report';
import { request } from '../scripts/bench/http';
import { round } from '../scripts/bench/load';
import { stopAll } from '../scripts/bench/processes';
import { SCENARIOS, TARGETS } from '../scripts/bench/scenarios';
import { sweepSize } from '../scripts/bench/sweep';
import { AUTH, discover, startMock } from '../scripts/bench/targets';
import { LIMITS } from '../src/config';
import { normalize } from './support/markdown';

const ROOT = path.join(__dirname, '..');
const results = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), 'utf8'),
) as Results;
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('the committed bench results', () => {
  test('come from a full run: every scenario, the four sizes of the sweep', () => {
    expect(results.format).toBe('posthog-mock-bench');
    expect(results.quick).toBe(false);
    expect(results.only).toBeNull();
    expect(results.scenarios.map((s) => s.name)).toEqual(SCENARIOS.map((s) => s.name));
    expect(results.sweep.map((r) => r.persons)).toEqual([1000, 10_000, 100_000, 1_000_000]);
    expect(results.git.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test('every figure is a number or says why there is none', () => {
    for (const s of results.scenarios) {
      // posthog-mock answers every scenario: a run where it did not is not one to commit
      expect(s.targets.mock).toHaveProperty('reqPerSec');
      for (const t of TARGETS) {
        const f = s.targets[t];
        if ('none' in f) expect(f.none).toMatch(/\S/);
        else {
          expect(f.reqPerSec).toBeGreaterThan(0);
          expect(f.rounds).toHaveLength(results.settings.rounds);
          for (const r of f.rounds) expect(r.non2xx + r.errors).toBe(0);
        }
      }
    }
    const why = /^(timeout|refused: .+|error: .+|skipped.*)$/;
    for (const row of results.sweep) {
      for (const key of [
        'startMs',
        'rssMB',
        'retrieveMs',
        'listMs',
        'searchMs',
        'firstSearchMs',
        'resetMs',
      ] as const) {
        const f = row[key];
        if (typeof f === 'number') expect(f).toBeGreaterThan(0);
        else expect(f).toMatch(why);
      }
    }
  });

  test('the ratios and the issue 10 goals are computed from the figures', () => {
    for (const s of results.scenarios) {
      const mock = s.targets.mock;
      for (const t of TARGETS.filter((x) => x !== 'mock')) {
        const peer = s.targets[t];
        if ('none' in mock || 'none' in peer) expect(s.ratios).not.toHaveProperty(t);
        else {
          const ratios = mock.rounds
            .map((r, i) => r.reqPerSec / peer.rounds[i]!.reqPerSec)
            .sort((a, b) => a - b);
          const median =
            ratios.length % 2
              ? ratios[(ratios.length - 1) / 2]!
              : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
          expect(s.ratios[t as Exclude<typeof t, 'mock'>]).toBeCloseTo(median, 10);
        }
      }
    }
    expect(results.goals).toEqual(goals(results.scenarios, results.sweep));
  });

  test("the README's tables are the committed results", () => {
    const block = readmeBlock(readme);
    expect(block).toBeDefined();
    expect(normalize(block!)).toBe(normalize(renderTables(results)));
  });

  test('the README shows the chart, and the chart is the committed results', () => {
    expect(readme).toContain('](bench/results/latest.svg)');
    const svg = fs.readFileSync(path.join(ROOT, 'bench', 'results', 'latest.svg'), 'utf8');
    expect(svg).toBe(renderChart(results));
  });
});

describe('the tables of the README', () => {
  test('change with any figure (so the comparison above sees a drift)', () => {
    const edited = structuredClone(results);
    const retrieve = edited.scenarios.find((s) => s.name === 'retrieve')!;
    if (!('none' in retrieve.targets.mock)) retrieve.targets.mock.reqPerSec += 1000;
    edited.sweep[0]!.startMs =
      typeof edited.sweep[0]!.startMs === 'number' ? edited.sweep[0]!.startMs * 2 : 1;
    expect(normalize(renderTables(edited))).not.toBe(normalize(renderTables(results)));
  });

  test('say why a size has no figures, and leave its goals open', () => {
    const refused = structuredClone(results);
    refused.sweep[3] = {
      persons: 1_000_000,
      startMs: 'refused: --persons must be at most 100000',
      rssMB: 'skipped',
      retrieveMs: 'skipped',
      listMs: 'skipped',
      searchMs: 'skipped',
      firstSearchMs: 'skipped',
      resetMs: 'skipped',
      samples: {},
    };
    refused.goals = goals(refused.scenarios, refused.sweep);
    const tables = renderTables(refused);
    expect(tables).toContain('| 1,000,000 | refused: --persons must be at most 100000 | skipped |');
    expect(tables).toContain(
      '| 1M persons: ready in under 2 s | refused: --persons must be at most 100000 | — |',
    );
    expect(refused.goals.find((g) => g.goal === '1M persons: RSS under 400 MB')?.met).toBeNull();
  });
});

/**
 * The harness itself against the current store (the CLI from source, as the CLI tests run it), so that a
 * change of the store or the CLI that breaks `npm run bench` shows here and not only in the next bench run.
 * Small sizes and short bounds; no figure is compared with anything.
 */
describe('the bench harness', () => {
  const cli = {
    command: process.execPath,
    args: ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli.ts')],
  };
  const limits = { startMs: 90_000, requestMs: 30_000, figureMs: 300, samples: 3 };
  afterAll(() => stopAll());

  test('measures every figure of a size the CLI accepts', async () => {
    const row = await sweepSize(300, 42, limits, cli);
    for (const key of [
      'startMs',
      'rssMB',
      'retrieveMs',
      'listMs',
      'searchMs',
      'firstSearchMs',
      'resetMs',
    ] as const) {
      expect(typeof row[key]).toBe('number');
    }
    expect(row.samples).toEqual({ retrieve: 3, 'list-100': 3, 'first-search': 1, search: 3, reset: 3 });
  }, 120_000);

  test('records the refusal of a size over the CLI limit, with its message', async () => {
    const row = await sweepSize(LIMITS.personsPerProject + 1, 42, limits, cli);
    expect(row.startMs).toMatch(/^refused: --persons must be .*got "\d+"$/);
    expect(row.listMs).toBe('skipped');
  }, 120_000);

  test('sends a unique name with each role create (the mock answers 400 to a name it has)', async () => {
    const mock = await startMock({ seed: 42 }, 90_000, cli);
    if ('failed' in mock) throw new Error(mock.failed);
    const ids = await discover(mock.url);
    const call = SCENARIOS.find((s) => s.name === 'create-role')!.call('mock', ids);
    if ('none' in call) throw new Error(call.none);
    const r = await round(mock.url, call, AUTH, { connections: 4, seconds: 1 });
    expect(r.requests).toBeGreaterThan(4);
    expect(r.non2xx).toBe(0);
    expect(r.errors).toBe(0);
    const roles = await request(`${mock.url}/api/organizations/@current/roles/?limit=1`, {
      headers: AUTH,
      timeoutMs: 30_000,
    });
    expect(JSON.parse(roles.body).count).toBeGreaterThanOrEqual(r.requests);
  }, 120_000);
});
