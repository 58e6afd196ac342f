/**
 * The results document of `npm run bench` (bench/results/latest.json) and the README tables made from it.
 * The README's "Performance" section holds exactly `renderTables(latest.json)` between its two markers;
 * test/bench-results.test.ts checks that, so the figures there cannot drift from the committed results.
 */
import type { Round } from './load';
import type { SweepRow, Figure } from './sweep';
import { TARGETS, TARGET_LABELS, type TargetName } from './scenarios';

export const README_BEGIN = '<!-- bench:begin (written by npm run bench from bench/results/latest.json) -->';
export const README_END = '<!-- bench:end -->';

export interface TargetFigures {
  /** medians over the rounds */
  reqPerSec: number;
  latencyP50: number;
  latencyP99: number;
  rounds: Round[];
}

export interface ScenarioResult {
  name: string;
  label: string;
  /** per target: its figures, or why it has none (no equivalent route, skipped, failed) */
  targets: Record<TargetName, TargetFigures | { none: string }>;
  /** posthog-mock's req/s divided by the peer's: the median over the rounds of the ratio within a round pair */
  ratios: Partial<Record<Exclude<TargetName, 'mock'>, number>>;
}

export interface Goal {
  goal: string;
  measured: string;
  /** null: not measurable in this run (the reason is in `measured`) */
  met: boolean | null;
}

export interface Results {
  format: 'posthog-mock-bench';
  version: 1;
  date: string;
  quick: boolean;
  only: string | null;
  git: { commit: string; dirty: boolean };
  machine: {
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryMB: number;
    node: string;
    loadavg: number[];
  };
  settings: {
    connections: number;
    roundSeconds: number;
    rounds: number;
    warmupSeconds: number;
    seed: number;
    /** persons per project in the side-by-side rounds (the CLI's default when null) */
    persons: number | null;
  };
  /** each target: "ok" and its version, or why it is not in the rounds */
  targets: Record<TargetName, { status: string; version?: string }>;
  scenarios: ScenarioResult[];
  sweep: SweepRow[];
  goals: Goal[];
}

/**
 * posthog-mock against a peer: round i of the mock and round i of the peer ran one right after the other
 * (the rounds alternate), so their ratio is taken within each pair and the median of those is reported.
 * On a machine whose load changes during the run this is steadier than a ratio of two medians.
 */
export function pairedRatio(mock: readonly Round[], peer: readonly Round[]): number {
  const ratios = mock.slice(0, peer.length).map((r, i) => r.reqPerSec / peer[i]!.reqPerSec);
  const sorted = ratios.sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// -------------------------------------------------------------------------------------------- formatting

export const fmtRate = (v: number): string => Math.round(v).toLocaleString('en-US');
export const fmtRatio = (v: number): string => `${v.toFixed(2)}×`;
export function fmtMs(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}
export const fmtMB = (v: number): string => `${Math.round(v)} MB`;
const fmtFigure = (f: Figure, as: (v: number) => string): string => (typeof f === 'number' ? as(f) : f);

/** "—" for a target without a figure; the reasons are listed under the table */
function cell(s: ScenarioResult, t: TargetName): string {
  const f = s.targets[t];
  return 'none' in f ? '—' : fmtRate(f.reqPerSec);
}

// --------------------------------------------------------------------------------------------- the goals

const RATIO_GOALS: { scenario: string; peer: Exclude<TargetName, 'mock'>; min: number; goal: string }[] = [
  { scenario: 'retrieve', peer: 'express', min: 0.95, goal: 'retrieve ≥ 0.95× bare Express' },
  { scenario: 'list-100', peer: 'express', min: 1.2, goal: 'list of 100 ≥ 1.2× bare Express' },
  { scenario: 'retrieve', peer: 'json-server', min: 3, goal: 'retrieve ≥ 3× json-server' },
  { scenario: 'list-100', peer: 'json-server', min: 3, goal: 'list of 100 ≥ 3× json-server' },
  {
    scenario: 'create-role',
    peer: 'express',
    min: 0.6,
    goal: 'validated create ≥ 0.6× bare Express echo create',
  },
];

/** Issue 10's targets, each with what this run measured. */
export function goals(scenarios: ScenarioResult[], sweep: SweepRow[]): Goal[] {
  const out: Goal[] = [];
  for (const g of RATIO_GOALS) {
    const ratio = scenarios.find((s) => s.name === g.scenario)?.ratios[g.peer];
    out.push(
      ratio === undefined
        ? { goal: g.goal, measured: 'not measured', met: null }
        : { goal: g.goal, measured: fmtRatio(ratio), met: ratio >= g.min },
    );
  }
  const at = (n: number) => sweep.find((r) => r.persons === n);
  const small = at(1000);
  const big = at(1_000_000);
  const bigWhy =
    big === undefined ? 'not measured' : typeof big.startMs === 'string' ? big.startMs : undefined;
  const numberGoal = (goal: string, f: Figure | undefined, max: number, as: (v: number) => string): Goal =>
    typeof f === 'number'
      ? { goal, measured: as(f), met: f < max }
      : { goal, measured: f ?? 'not measured', met: null };
  out.push(numberGoal('1M persons: ready in under 2 s', bigWhy ?? big?.startMs, 2000, fmtMs));
  out.push(numberGoal('1M persons: RSS under 400 MB', bigWhy ?? big?.rssMB, 400, fmtMB));
  for (const [key, label] of [
    ['retrieveMs', 'retrieve'],
    ['listMs', 'list-100'],
    ['resetMs', 'reset()'],
  ] as const) {
    const goal = `1M persons: ${label} within 1.5× of its cost at 1k`;
    const a = small?.[key];
    const b = big?.[key];
    if (typeof a === 'number' && typeof b === 'number') {
      out.push({ goal, measured: `${fmtMs(b)} vs ${fmtMs(a)} (${fmtRatio(b / a)})`, met: b / a <= 1.5 });
    } else {
      out.push({
        goal,
        measured: bigWhy ?? (typeof b === 'string' ? b : typeof a === 'string' ? a : 'not measured'),
        met: null,
      });
    }
  }
  const mid = at(100_000);
  out.push(
    numberGoal(
      'search under 100 ms at 100k persons',
      mid && typeof mid.startMs === 'string' ? mid.startMs : mid?.searchMs,
      100,
      fmtMs,
    ),
  );
  if (big && typeof big.searchMs === 'number' && typeof big.firstSearchMs === 'number') {
    out.push({
      goal: '1M persons: search after the first under 100 ms',
      measured: `${fmtMs(big.searchMs)} (first: ${fmtMs(big.firstSearchMs)})`,
      met: big.searchMs < 100,
    });
  } else {
    out.push({
      goal: '1M persons: search after the first under 100 ms',
      measured: bigWhy ?? String(big?.searchMs ?? 'not measured'),
      met: null,
    });
  }
  const resets = sweep.map((r) => r.resetMs);
  const measured = resets.filter((r): r is number => typeof r === 'number');
  out.push(
    measured.length === 0
      ? { goal: 'reset() under 2 ms after a few writes, at any size', measured: 'not measured', met: null }
      : {
          goal: 'reset() under 2 ms after a few writes, at any size',
          measured: `at most ${fmtMs(Math.max(...measured))} over ${measured.length} of ${resets.length} sizes`,
          met: Math.max(...measured) < 2 && measured.length === resets.length,
        },
  );
  return out;
}

// -------------------------------------------------------------------------------------------- the tables

/** The README's tables, from a results document (markdown, ends with a newline). */
export function renderTables(r: Results): string {
  const lines: string[] = [];
  const peers = TARGETS.filter((t) => t !== 'mock') as Exclude<TargetName, 'mock'>[];
  lines.push(
    `Run of ${r.date.slice(0, 10)} at commit \`${r.git.commit.slice(0, 10)}\`${r.git.dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; ${r.settings.connections} connections, ` +
      `${r.settings.rounds} alternating rounds of ${r.settings.roundSeconds} s per target after ${r.settings.warmupSeconds} s of warm-up; ` +
      `req/s are medians over the rounds, ratios the median of the per-round ratios; load average ` +
      `${r.machine.loadavg[0]} at the start, ${r.machine.loadavg[3]} at the end.`,
  );
  if (r.scenarios.length) {
    lines.push(
      '',
      `| scenario (req/s) | ${TARGETS.map((t) => TARGET_LABELS[t]).join(' | ')} | ${peers.map((p) => `× ${TARGET_LABELS[p]}`).join(' | ')} |`,
      `|---|${TARGETS.map(() => '---:').join('|')}|${peers.map(() => '---:').join('|')}|`,
    );
  }
  for (const s of r.scenarios) {
    const ratios = peers.map((p) => (s.ratios[p] === undefined ? '—' : fmtRatio(s.ratios[p])));
    lines.push(`| ${s.label} | ${TARGETS.map((t) => cell(s, t)).join(' | ')} | ${ratios.join(' | ')} |`);
  }
  const reasons = new Set<string>();
  for (const s of r.scenarios) {
    for (const t of TARGETS) {
      const f = s.targets[t];
      if ('none' in f) reasons.add(`${TARGET_LABELS[t]}: ${f.none}`);
    }
  }
  if (reasons.size) lines.push('', `— : ${[...reasons].join('; ')}.`);
  if (r.sweep.length) {
    lines.push(
      '',
      '| persons per project | start to first 200 | RSS after start | retrieve (1 connection) | list-100 | search | first search | reset() |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
  }
  for (const row of r.sweep) {
    lines.push(
      `| ${row.persons.toLocaleString('en-US')} | ${fmtFigure(row.startMs, fmtMs)} | ${fmtFigure(row.rssMB, fmtMB)} | ` +
        `${fmtFigure(row.retrieveMs, fmtMs)} | ${fmtFigure(row.listMs, fmtMs)} | ${fmtFigure(row.searchMs, fmtMs)} | ` +
        `${fmtFigure(row.firstSearchMs, fmtMs)} | ${fmtFigure(row.resetMs, fmtMs)} |`,
    );
  }
  lines.push('', '| issue 10 target | measured | met |', '|---|---|:---:|');
  for (const g of r.goals) {
    lines.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? '—' : g.met ? 'yes' : 'no'} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The README with its bench block replaced by `tables` (an error when the markers are missing). */
export function replaceReadmeBlock(readme: string, tables: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) throw new Error('README.md has no bench block (its markers are missing)');
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\n${tables}\n${readme.slice(end)}`;
}

/** The tables in the README's bench block, as written there */
export function readmeBlock(readme: string): string | undefined {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) return undefined;
  return readme
    .slice(begin + README_BEGIN.length, end)
    .replace(/^\n\n/, '')
    .replace(/\n$/, '');
}
