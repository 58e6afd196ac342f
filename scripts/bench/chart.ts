/**
 * bench/results/latest.svg, drawn by hand (no chart library): req/s per scenario per target as horizontal
 * bars, and the sweep's per-request times per size on a log scale, with the reason where a size has none.
 */
import type { Results } from './report';
import { fmtMs, fmtRate } from './report';
import { TARGETS, TARGET_LABELS, type TargetName } from './scenarios';

const COLORS: Record<TargetName, string> = {
  mock: '#1d4ed8',
  express: '#6b7280',
  'json-server': '#d97706',
  prism: '#059669',
};
const SWEEP_FIGURES = [
  { key: 'retrieveMs', label: 'retrieve', color: '#1d4ed8' },
  { key: 'listMs', label: 'list-100', color: '#7c3aed' },
  { key: 'searchMs', label: 'search', color: '#d97706' },
  { key: 'resetMs', label: 'reset()', color: '#dc2626' },
] as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
const rect = (x: number, y: number, w: number, h: number, fill: string): string =>
  `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(w, 0).toFixed(1)}" height="${h}" fill="${fill}"/>`;

export function renderChart(r: Results): string {
  const W = 900;
  const LABEL = 200;
  const BAR = 11;
  const out: string[] = [];
  let y = 30;
  out.push(
    text(
      10,
      y,
      `posthog-mock and peers: requests per second (${r.settings.connections} connections, medians)`,
      'font-weight="bold"',
    ),
  );
  y += 18;
  // legend
  let lx = 10;
  for (const t of TARGETS) {
    out.push(rect(lx, y - 9, 10, 10, COLORS[t]), text(lx + 14, y, TARGET_LABELS[t]));
    lx += 150;
  }
  y += 16;
  const max = Math.max(
    1,
    ...r.scenarios.flatMap((s) =>
      TARGETS.map((t) => s.targets[t]).map((f) => ('none' in f ? 0 : f.reqPerSec)),
    ),
  );
  const scale = (W - LABEL - 90) / max;
  for (const s of r.scenarios) {
    out.push(text(10, y + (TARGETS.length * (BAR + 2)) / 2 + 4, s.label));
    for (const t of TARGETS) {
      const f = s.targets[t];
      if ('none' in f) {
        out.push(text(LABEL, y + BAR - 2, `— ${f.none}`.slice(0, 100), `fill="${COLORS[t]}" font-size="10"`));
      } else {
        const w = f.reqPerSec * scale;
        out.push(rect(LABEL, y, w, BAR, COLORS[t]), text(LABEL + w + 4, y + BAR - 2, fmtRate(f.reqPerSec)));
      }
      y += BAR + 2;
    }
    y += 10;
  }

  // the sweep, log scale from 0.1 ms to 100 s
  y += 20;
  out.push(text(10, y, 'Scale sweep: ms per request at 1 connection (log scale)', 'font-weight="bold"'));
  y += 18;
  lx = 10;
  for (const f of SWEEP_FIGURES) {
    out.push(rect(lx, y - 9, 10, 10, f.color), text(lx + 14, y, f.label));
    lx += 120;
  }
  y += 12;
  const LO = Math.log10(0.1);
  const HI = Math.log10(100_000);
  const px = (ms: number): number => ((Math.log10(Math.max(ms, 0.1)) - LO) / (HI - LO)) * (W - LABEL - 90);
  const ticks: [number, string][] = [
    [0.1, '0.1 ms'],
    [1, '1 ms'],
    [10, '10 ms'],
    [100, '100 ms'],
    [1000, '1 s'],
    [10_000, '10 s'],
    [100_000, '100 s'],
  ];
  for (const [tick, label] of ticks) {
    const x = LABEL + px(tick);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + r.sweep.length * 64}" stroke="#e5e7eb"/>`,
    );
    out.push(text(x - 12, y + 8, label, 'fill="#6b7280" font-size="10"'));
  }
  y += 16;
  for (const row of r.sweep) {
    const top = y;
    const start = typeof row.startMs === 'number' ? `start ${fmtMs(row.startMs)}` : '';
    out.push(text(10, top + 16, `${row.persons.toLocaleString('en-US')} persons`));
    if (start)
      out.push(
        text(
          10,
          top + 30,
          `${start}, ${typeof row.rssMB === 'number' ? `${Math.round(row.rssMB)} MB` : row.rssMB}`,
          'fill="#6b7280" font-size="10"',
        ),
      );
    if (typeof row.startMs === 'string') {
      out.push(text(LABEL, top + 16, row.startMs.slice(0, 110), 'fill="#dc2626"'));
      y += 30;
      continue;
    }
    for (const f of SWEEP_FIGURES) {
      const v = row[f.key];
      if (typeof v === 'number') {
        const w = px(v);
        out.push(rect(LABEL, y, w, BAR, f.color), text(LABEL + w + 4, y + BAR - 2, fmtMs(v)));
      } else {
        out.push(text(LABEL, y + BAR - 2, `${f.label}: ${v}`.slice(0, 110), 'fill="#dc2626"'));
      }
      y += BAR + 2;
    }
    y += 12;
  }
  y += 10;
  out.push(
    text(
      10,
      y,
      `${r.date} · ${r.git.commit.slice(0, 10)} · ${r.machine.cpus} × ${r.machine.cpuModel} · Node ${r.machine.node}`,
      'fill="#6b7280" font-size="10"',
    ),
  );
  const H = y + 12;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="12">\n<rect width="${W}" height="${H}" fill="white"/>\n${out.join('\n')}\n</svg>\n`
  );
}
