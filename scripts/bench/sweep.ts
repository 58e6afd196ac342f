/**
 * The scale sweep: posthog-mock started from its CLI with `--persons N`, one size after another, each step
 * bounded in time so that a size that is too slow is recorded as "timeout" instead of hanging the bench.
 *
 * Per size: time from spawning the CLI to the first 200 on a list; RSS of the child right after (VmRSS);
 * the per-request time at 1 connection (requests one after another on a keep-alive socket, median) of a
 * retrieve, a list of 100 and a search; and the time of `POST /__mock/reset` after a few writes (3 per reset:
 * a PATCH of a person, a role created, a PATCH of a second person), median over up to 20 resets.
 */
import { expectStatus, median, request, since } from './http';
import { rssMB } from './processes';
import { AUTH, BUILT_CLI, discover, startMock, type Cli } from './targets';
import type { Ids } from './scenarios';

/** A figure, or why there is none: "timeout", "refused: <message>", "error: <message>", "skipped: ..." */
export type Figure = number | string;

export interface SweepRow {
  persons: number;
  /** ms from spawn to the first 200 on a list */
  startMs: Figure;
  rssMB: Figure;
  /** ms per request, 1 connection */
  retrieveMs: Figure;
  listMs: Figure;
  searchMs: Figure;
  /** ms of the first search at this size (where a store builds an index on first use, it shows here) */
  firstSearchMs: Figure;
  resetMs: Figure;
  /** how many requests each median is over */
  samples: Record<string, number>;
}

export interface SweepLimits {
  /** to start and answer the first list */
  startMs: number;
  /** one request */
  requestMs: number;
  /** all the samples of one figure together */
  figureMs: number;
  /** samples of one figure, at most */
  samples: number;
}

class OutOfTime extends Error {}

/**
 * Whether to take another sample: up to `limits.samples`, while within `limits.figureMs` (or twice that
 * for the first three, so a slow size still gets a median of three).
 */
const more = (samples: number[], started: number, limits: SweepLimits): boolean =>
  samples.length < limits.samples && since(started) < (samples.length < 3 ? 2 : 1) * limits.figureMs;

/** Requests one after another (see `more`); the median ms per request */
async function perRequest(
  send: () => Promise<unknown>,
  limits: SweepLimits,
  samples: number[],
): Promise<number> {
  const started = performance.now();
  while (more(samples, started, limits)) {
    const t = performance.now();
    await send();
    samples.push(since(t));
  }
  if (samples.length === 0) throw new OutOfTime();
  return median(samples);
}

/** The figure, or "timeout"/"error: ..." when it could not be measured */
async function figure(
  name: string,
  row: SweepRow,
  measure: (samples: number[]) => Promise<number>,
): Promise<Figure> {
  const samples: number[] = [];
  try {
    const value = await measure(samples);
    row.samples[name] = samples.length;
    return value;
  } catch (err) {
    row.samples[name] = samples.length;
    const message = (err as Error).message;
    return err instanceof OutOfTime || /no answer in/.test(message)
      ? 'timeout'
      : `error: ${message.slice(0, 200)}`;
  }
}

export async function sweepSize(
  persons: number,
  seed: number,
  limits: SweepLimits,
  cli: Cli = BUILT_CLI,
): Promise<SweepRow> {
  const row: SweepRow = {
    persons,
    startMs: 'skipped',
    rssMB: 'skipped',
    retrieveMs: 'skipped',
    listMs: 'skipped',
    searchMs: 'skipped',
    firstSearchMs: 'skipped',
    resetMs: 'skipped',
    samples: {},
  };
  const spawned = performance.now();
  const mock = await startMock({ persons, seed }, limits.startMs, cli);
  if ('failed' in mock) {
    row.startMs = mock.failed;
    return row;
  }
  try {
    const base = mock.url;
    const get = (path: string) =>
      expectStatus(200, `${base}${path}`, { headers: AUTH, timeoutMs: limits.requestMs });
    // the CLI prints its banner once it listens; the first 200 on a list ends the start
    const left = limits.startMs - since(spawned);
    try {
      await expectStatus(200, `${base}/api/projects/@current/persons/?limit=100`, {
        headers: AUTH,
        timeoutMs: Math.max(left, 1),
      });
    } catch (err) {
      row.startMs = /no answer in/.test((err as Error).message)
        ? 'timeout'
        : `error: ${(err as Error).message}`;
      return row;
    }
    row.startMs = since(spawned);
    row.rssMB = rssMB(mock.child.pid) ?? 'skipped: no /proc';
    let ids: Ids;
    try {
      ids = await discover(base);
    } catch (err) {
      row.retrieveMs = `error: ${(err as Error).message}`;
      return row;
    }
    const project = '/api/projects/@current';
    row.retrieveMs = await figure('retrieve', row, (s) =>
      perRequest(() => get(`${project}/persons/${ids.person}/`), limits, s),
    );
    row.listMs = await figure('list-100', row, (s) =>
      perRequest(() => get(`${project}/persons/?limit=100`), limits, s),
    );
    const search = `${project}/persons/?limit=100&search=${encodeURIComponent(ids.search)}`;
    row.firstSearchMs = await figure('first-search', row, async (s) => {
      const t = performance.now();
      await get(search);
      s.push(since(t));
      return s[0]!;
    });
    row.searchMs = await figure('search', row, (s) => perRequest(() => get(search), limits, s));
    // a second person to patch: the second of the list
    const second = (
      JSON.parse((await get(`${project}/persons/?limit=2`)).body) as { results: { id: number }[] }
    ).results[1]?.id;
    let n = 0;
    row.resetMs = await figure('reset', row, async (samples) => {
      const started = performance.now();
      while (more(samples, started, limits)) {
        n += 1;
        const write = { headers: AUTH, timeoutMs: limits.requestMs };
        await expectStatus(200, `${base}${project}/persons/${ids.person}/`, {
          ...write,
          method: 'PATCH',
          body: { properties: { bench_counter: n } },
        });
        await expectStatus(201, `${base}/api/organizations/${ids.org}/roles/`, {
          ...write,
          method: 'POST',
          body: { name: `bench sweep ${n}` },
        });
        if (second !== undefined) {
          await expectStatus(200, `${base}${project}/persons/${second}/`, {
            ...write,
            method: 'PATCH',
            body: { properties: { bench_counter: n } },
          });
        }
        const t = performance.now();
        const answer = await request(`${base}/__mock/reset`, { method: 'POST', timeoutMs: limits.requestMs });
        if (answer.status !== 204) throw new Error(`POST /__mock/reset answered ${answer.status}`);
        samples.push(since(t));
      }
      if (samples.length === 0) throw new OutOfTime();
      return median(samples);
    });
    return row;
  } finally {
    await mock.child.stop();
  }
}
