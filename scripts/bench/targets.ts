/**
 * Starting what the bench measures, each as its own child process: posthog-mock (the built CLI), the bare
 * Express reference serving the mock's captured bytes, json-server 0.17 and Prism 5 (installed on demand
 * into a cache folder, outside the package's dependencies).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectStatus, request, Timeout } from './http';
import { startChild, waitFor, freePort, type Child } from './processes';
import { SCENARIOS, type Ids } from './scenarios';

export const ROOT = path.join(__dirname, '..', '..');
export const KEY = 'phx_mock_owner_personal_api_key';
export const AUTH = { authorization: `Bearer ${KEY}` };
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

export interface Running {
  child: Child;
  url: string;
  /**
   * Back to the data it started with, before a scenario of writes: the mock resets (POST /__mock/reset),
   * json-server restarts on a fresh copy of its db.json (it has no reset).
   */
  fresh?: () => Promise<Running>;
  /** `fresh` before every round of writes too (the mock, as a test suite resets it between tests) */
  freshEachRound?: boolean;
}

/** A start that did not give a server: the CLI refused the flags (exit 2), timed out, or failed. */
export interface NotStarted {
  failed: string;
}

/** How to run the CLI: the built one by default (`npm run bench` builds first) */
export interface Cli {
  command: string;
  args: string[];
}
export const BUILT_CLI: Cli = { command: process.execPath, args: [CLI] };

/** posthog-mock from its CLI, on a free port, with no request log (the peers log nothing either) */
export async function startMock(
  options: { persons?: number; seed: number },
  timeoutMs: number,
  cli: Cli = BUILT_CLI,
): Promise<Running | NotStarted> {
  if (cli === BUILT_CLI && !fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const args = [...cli.args, '--port', '0', '--host', '127.0.0.1', '--seed', String(options.seed)];
  args.push('--log-level', 'silent');
  if (options.persons !== undefined) args.push('--persons', String(options.persons));
  const child = startChild('posthog-mock', cli.command, args, ROOT);
  const started = await waitFor(child, /listening on (http:\/\/\S+)/, timeoutMs);
  if (started.ok) {
    const url = started.match[1]!;
    const running: Running = {
      child,
      url,
      freshEachRound: true,
      fresh: async () => {
        await expectStatus(204, `${url}/__mock/reset`, { method: 'POST', timeoutMs: 60_000 });
        return running;
      },
    };
    return running;
  }
  await child.stop();
  if (started.reason === 'timeout') return { failed: 'timeout' };
  const reason = started.reason.replace(/^posthog-mock: /, '');
  return { failed: started.exitCode === 2 ? `refused: ${reason}` : `error: ${reason}` };
}

/** What the scenarios need, read from the running mock and the fixtures it serves. */
export async function discover(mockUrl: string): Promise<Ids> {
  const org = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', 'organization.json'), 'utf8')) as { id: string }
  ).id;
  const list = await expectStatus(200, `${mockUrl}/api/projects/@current/persons/?limit=1`, {
    headers: AUTH,
    timeoutMs: 60_000,
  });
  const first = (JSON.parse(list.body) as { results: { id: number }[] }).results[0];
  if (!first) throw new Error('the current project has no person');
  // `gmail` is in about a quarter of the seeded emails: a search that fills a page of 100 quickly at any size
  return { org, person: first.id, search: 'gmail' };
}

interface Captured {
  gets: { url: string; status: number; contentType: string; body: string }[];
  creates: string[];
  patches: { path: string; object: unknown }[];
}

/** The mock's answers to the read scenarios (after a reset, before any write), for the Express reference. */
export async function capture(mockUrl: string, ids: Ids): Promise<Captured> {
  await expectStatus(204, `${mockUrl}/__mock/reset`, { method: 'POST', timeoutMs: 60_000 });
  const captured: Captured = { gets: [], creates: [], patches: [] };
  for (const scenario of SCENARIOS) {
    const call = scenario.call('mock', ids);
    if ('none' in call) continue;
    if (call.method === 'GET') {
      const answer = await expectStatus(200, `${mockUrl}${call.path}`, { headers: AUTH, timeoutMs: 60_000 });
      captured.gets.push({ url: call.path, ...answer });
    } else if (call.method === 'POST') {
      captured.creates.push(call.path);
    } else {
      const person = await expectStatus(200, `${mockUrl}${call.path}`, { headers: AUTH, timeoutMs: 60_000 });
      captured.patches.push({ path: call.path, object: JSON.parse(person.body) });
    }
  }
  return captured;
}

let scratch: string | undefined;
/** A folder for the peers' files (captured answers, db.json), made on first use and removed at exit */
function tmp(): string {
  if (scratch === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-mock-bench-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

export async function startExpress(captured: Captured): Promise<Running | NotStarted> {
  const file = path.join(tmp(), 'captured.json');
  fs.writeFileSync(file, JSON.stringify(captured));
  const child = startChild(
    'express',
    process.execPath,
    [path.join(__dirname, 'express-peer.js'), file],
    ROOT,
  );
  const started = await waitFor(child, /listening on (http:\/\/\S+)/, 30_000);
  if (started.ok) return { child, url: started.match[1]! };
  await child.stop();
  return { failed: `error: ${started.reason}` };
}

// ---------------------------------------------------------------------------------------------------- peers

/** Where the peers are installed: $XDG_CACHE_HOME/posthog-mock-bench, or node_modules/.cache/posthog-mock-bench */
export const PEER_CACHE = process.env.XDG_CACHE_HOME
  ? path.join(process.env.XDG_CACHE_HOME, 'posthog-mock-bench')
  : path.join(ROOT, 'node_modules', '.cache', 'posthog-mock-bench');

export const PEERS = {
  'json-server': { spec: 'json-server@0.17', pkg: 'json-server', major: 0, minor: 17, bin: 'lib/cli/bin.js' },
  prism: {
    spec: '@stoplight/prism-cli@5',
    pkg: '@stoplight/prism-cli',
    major: 5,
    minor: undefined,
    bin: 'dist/index.js',
  },
} as const;
export type PeerName = keyof typeof PEERS;

export interface PeerInstall {
  /** the script to run with node */
  script: string;
  version: string;
}

function installed(name: PeerName): PeerInstall | undefined {
  const peer = PEERS[name];
  const dir = path.join(PEER_CACHE, 'node_modules', peer.pkg);
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      version: string;
    };
    const [major, minor] = version.split('.').map(Number);
    if (major !== peer.major || (peer.minor !== undefined && minor !== peer.minor)) return undefined;
    const script = path.join(dir, peer.bin);
    return fs.existsSync(script) ? { script, version } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The peer, installed into PEER_CACHE the first time (`npm install --prefix`), or why it cannot be had.
 * The install is bounded (5 minutes) and its failure is a reason, not a crash: the bench goes on without it.
 */
export async function ensurePeer(name: PeerName): Promise<PeerInstall | NotStarted> {
  const found = installed(name);
  if (found) return found;
  fs.mkdirSync(PEER_CACHE, { recursive: true });
  const manifest = path.join(PEER_CACHE, 'package.json');
  if (!fs.existsSync(manifest)) {
    fs.writeFileSync(manifest, JSON.stringify({ name: 'posthog-mock-bench-peers', private: true }) + '\n');
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  console.log(`bench: installing ${PEERS[name].spec} into ${PEER_CACHE}`);
  // asynchronous, so the servers already started keep being served meanwhile
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(
      npm,
      ['install', '--prefix', PEER_CACHE, '--no-audit', '--no-fund', PEERS[name].spec],
      { timeout: 300_000, maxBuffer: 16 * 2 ** 20 },
      (err, _stdout, stderr) => resolve(err ? String(stderr || err.message) : undefined),
    );
  });
  if (failure !== undefined) {
    return {
      failed: `skipped: npm install ${PEERS[name].spec} failed: ${failure.trim().split('\n').slice(-3).join(' ')}`,
    };
  }
  return installed(name) ?? { failed: `skipped: ${PEERS[name].spec} installed without its CLI` };
}

/** Polls until the server answers anything at all (it listens), the child exits, or time runs out. */
async function answering(
  child: Child,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null)
      return `exited: ${child.output().trim().split('\n').slice(-3).join(' ')}`;
    try {
      await request(url, { headers, timeoutMs: 5000 });
      return undefined;
    } catch (err) {
      if (err instanceof Timeout) continue;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return 'timeout';
}

/** json-server 0.17 on a db.json holding the mock's persons (of the current project) and roles */
export async function startJsonServer(peer: PeerInstall, mockUrl: string): Promise<Running | NotStarted> {
  const persons: unknown[] = [];
  let next: string | null = `${mockUrl}/api/projects/@current/persons/?limit=100`;
  while (next) {
    const page = await expectStatus(200, next, { headers: AUTH, timeoutMs: 60_000 });
    const body = JSON.parse(page.body) as { results: unknown[]; next: string | null };
    persons.push(...body.results);
    next = body.next;
  }
  const roles = await expectStatus(200, `${mockUrl}/api/organizations/@current/roles/?limit=100`, {
    headers: AUTH,
    timeoutMs: 60_000,
  });
  const content = JSON.stringify({
    persons,
    roles: (JSON.parse(roles.body) as { results: unknown[] }).results,
  });
  const db = path.join(tmp(), 'db.json');
  const start = async (): Promise<Running | NotStarted> => {
    fs.writeFileSync(db, content);
    const port = await freePort();
    const child = startChild(
      'json-server',
      process.execPath,
      [peer.script, db, '--port', String(port), '--host', '127.0.0.1', '--quiet'],
      tmp(),
    );
    const url = `http://127.0.0.1:${port}`;
    const problem = await answering(child, `${url}/roles`, {}, 30_000);
    if (problem === undefined) {
      return {
        child,
        url,
        fresh: async () => {
          await child.stop();
          const again = await start();
          if ('failed' in again) throw new Error(`json-server did not restart: ${again.failed}`);
          return again;
        },
      };
    }
    await child.stop();
    return { failed: `skipped: json-server did not start: ${problem}` };
  };
  return start();
}

/** The OpenAPI document Prism mocks: from $POSTHOG_REFERENCE_DIR or ../shared/reference (input, not a dependency) */
export function openApiDocument(): string | NotStarted {
  const dirs = [process.env.POSTHOG_REFERENCE_DIR, path.join(ROOT, '..', 'shared', 'reference')].filter(
    (d): d is string => d !== undefined && d !== '',
  );
  for (const dir of dirs) {
    const file = path.join(dir, 'posthog-openapi.json');
    if (fs.existsSync(file)) return file;
  }
  return { failed: `skipped: no posthog-openapi.json in ${dirs.join(' or ')} (set POSTHOG_REFERENCE_DIR)` };
}

/** Prism 5 (`prism mock`, static examples, no request log) on PostHog's OpenAPI document */
export async function startPrism(
  peer: PeerInstall,
  document: string,
  ids: Ids,
): Promise<Running | NotStarted> {
  const port = await freePort();
  const child = startChild(
    'prism',
    process.execPath,
    [
      peer.script,
      'mock',
      document,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--verboseLevel',
      'silent',
    ],
    tmp(),
  );
  const url = `http://127.0.0.1:${port}`;
  const problem = await answering(
    child,
    `${url}/api/projects/@current/persons/${ids.person}/`,
    AUTH,
    120_000,
  );
  if (problem === undefined) return { child, url };
  await child.stop();
  return { failed: `skipped: Prism did not start: ${problem}` };
}
