import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseConfig } from '../src/config';
import { ORG } from './support/api';
import { cleanEnv, ROOT } from './support/cli';

/**
 * --isolate-by-key, started for real. The CLI runs from src/ through ts-node (not from test/cli.test.ts's
 * shared .test-build/, which that suite deletes and rebuilds while running in parallel).
 */
jest.setTimeout(60_000);

const ROLES = `/api/organizations/${ORG}/roles/`;
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** starts the CLI with `args` and resolves with its URL, read from the banner */
function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', '--port', '0', ...args],
      { cwd: ROOT, env: { ...cleanEnv(), ...env } },
    );
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = / listening on (http:\/\/\S+) /.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => reject(new Error(`cli exited with ${code}: ${stderr}`)));
  });
}

const call = async (url: string, key: string, init: RequestInit = {}) => {
  const res = await fetch(url, {
    ...init,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as { results: { name: string }[] } };
};
const names = async (url: string, key: string) =>
  (await call(`${url}${ROLES}`, key)).body.results.map((r) => r.name);

describe('--isolate-by-key', () => {
  test('each key gets its own world; the control plane acts on a key’s world by X-PostHog-Mock-Key', async () => {
    const url = await start(['--isolate-by-key', '--persons', '5']);
    const post = await call(`${url}${ROLES}`, 'phx_worker_1', {
      method: 'POST',
      body: JSON.stringify({ name: 'Worker 1 role' }),
    });
    expect(post.status).toBe(201);
    expect(await names(url, 'phx_worker_1')).toContain('Worker 1 role');
    expect(await names(url, 'phx_worker_2')).not.toContain('Worker 1 role');
    const journal = await fetch(`${url}/__mock/requests/count`, {
      headers: { 'X-PostHog-Mock-Key': 'phx_worker_2' },
    });
    expect(await journal.json()).toEqual({ count: 1 });
    expect((await fetch(`${url}/__mock/reset?key=phx_worker_1`, { method: 'POST' })).status).toBe(204);
    expect(await names(url, 'phx_worker_1')).not.toContain('Worker 1 role');
  });

  test('--max-worlds 1: a second key drops the first key’s world', async () => {
    const url = await start(['--isolate-by-key', '--max-worlds', '1', '--persons', '5']);
    await call(`${url}${ROLES}`, 'phx_worker_1', {
      method: 'POST',
      body: JSON.stringify({ name: 'Dropped role' }),
    });
    expect(await names(url, 'phx_worker_1')).toContain('Dropped role');
    expect(await names(url, 'phx_worker_2')).not.toContain('Dropped role');
    expect(await names(url, 'phx_worker_1')).not.toContain('Dropped role');
  });

  test('without it, keys share one world (POSTHOG_MOCK_ISOLATE_BY_KEY=0 is the default)', async () => {
    const url = await start(['--persons', '5'], { POSTHOG_MOCK_ISOLATE_BY_KEY: '0' });
    await call(`${url}${ROLES}`, 'phx_worker_1', {
      method: 'POST',
      body: JSON.stringify({ name: 'Shared role' }),
    });
    expect(await names(url, 'phx_worker_2')).toContain('Shared role');
  });

  test('the flag and its variable', () => {
    expect(parseConfig([], {})).toMatchObject({ isolateByKey: false });
    expect(parseConfig(['--isolate-by-key'], {})).toMatchObject({ isolateByKey: true });
    expect(parseConfig([], { POSTHOG_MOCK_ISOLATE_BY_KEY: 'true' })).toMatchObject({ isolateByKey: true });
    expect(parseConfig(['--max-worlds', '5'], {})).toMatchObject({ maxWorlds: 5 });
    expect(parseConfig([], {})).toMatchObject({ maxWorlds: 1000 });
    expect(() => parseConfig(['--max-worlds', '0'], {})).toThrow(/--max-worlds/);
    expect(parseConfig(['--no-isolate-by-key'], { POSTHOG_MOCK_ISOLATE_BY_KEY: 'true' })).toMatchObject({
      isolateByKey: false,
    });
  });
});
