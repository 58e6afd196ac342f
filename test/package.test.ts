import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { helpText } from '../src/config';
import { KEYS } from './support/api';
import { cleanEnv, ROOT } from './support/cli';

/**
 * The package as users get it: `npm pack` of this tree installed into an empty project, and an install
 * from the repository's git URL (its committed HEAD: in CI, a clean clone, that is this tree). Each
 * install runs the CLI with npx and requires the package from another working directory.
 */
jest.setTimeout(600_000);
const run = promisify(execFile);
const npmEnv = () => ({
  ...cleanEnv(),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_loglevel: 'error',
});

async function project(name: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `posthog-mock-${name}-`));
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${name}`, private: true }),
  );
  return dir;
}

const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: npmEnv(), maxBuffer: 1 << 24 });

/**
 * `npx posthog-mock --port 0`, in a process group of its own as a terminal runs it: resolves with the
 * URL from the banner and a stop function that presses Ctrl-C (SIGINT to the group) and resolves once
 * the server no longer answers. (npx itself does not pass SIGTERM on to the command it runs.)
 */
function serve(cwd: string): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'posthog-mock', '--port', '0', '--persons', '5'], {
      cwd,
      env: npmEnv(),
      detached: true,
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    const stop = async (url: string) => {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`${url}/_health`).then(
          () => true,
          () => false,
        );
        if (!up) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${url} still answers after Ctrl-C`);
    };
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = / listening on (http:\/\/\S+) /.exec(out);
      if (m) resolve({ url: m[1]!, stop: () => stop(m[1]!) });
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    void exited.then(() => reject(new Error(`npx posthog-mock exited: ${err}`)));
  });
}

async function checkInstalled(dir: string, tree: boolean): Promise<void> {
  const installed = path.join(dir, 'node_modules', 'posthog-mock');
  expect(fs.existsSync(path.join(installed, 'dist', 'src', 'index.js'))).toBe(true);
  // what ships: the built code, fixtures and schemas; not the sources or tests
  expect(fs.existsSync(path.join(installed, 'fixtures', 'users.json'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'schemas', 'Person.json'))).toBe(true);

  const help = await run('npx', ['--no-install', 'posthog-mock', '--help'], { cwd: dir, env: npmEnv() });
  // the tarball is this tree, so its help is this tree's; a git install is the last commit's
  if (tree) expect(help.stdout).toBe(helpText());
  else expect(help.stdout).toMatch(/^Usage: posthog-mock \[options\]\n[\s\S]*\n {2}--port N /);

  const server = await serve(dir);
  const res = await fetch(`${server.url}/api/projects/1/persons/?limit=2`, {
    headers: { Authorization: `Bearer ${KEYS.owner}` },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { count: number }).count).toBe(5);
  await server.stop();

  // require from another working directory: fixtures and schemas are found beside the package
  const script = `
    const { startMockServer } = require('posthog-mock');
    const { resetMock } = require('posthog-mock/jest');
    startMockServer({ seed: { personsPerProject: 3 } }).then(async (mock) => {
      const r = await fetch(mock.url + '/api/organizations/@current/roles/', { headers: { Authorization: 'Bearer ' + mock.apiKey } });
      const body = await r.json();
      await resetMock(mock.url);
      await mock.close();
      console.log(JSON.stringify({ status: r.status, roles: body.results.map((x) => x.name), type: typeof resetMock }));
    });`;
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-'));
  const out = await run(process.execPath, ['-e', script], {
    cwd: other,
    env: { ...npmEnv(), NODE_PATH: path.join(dir, 'node_modules') },
  });
  expect(JSON.parse(out.stdout)).toEqual({
    status: 200,
    roles: expect.arrayContaining(['Engineering', 'Support']),
    type: 'function',
  });
}

test('the npm tarball of this tree installs and works: npx posthog-mock --help / --port 0, require', async () => {
  const dir = await project('tarball');
  const packed = await npm(['pack', '--silent', '--pack-destination', dir, ROOT], dir);
  const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
  await npm(['install', tarball], dir);
  await checkInstalled(dir, true);
});

test('an install from the git URL of the repository builds and works the same', async () => {
  const dir = await project('git');
  await npm(['install', `git+file://${ROOT}`], dir);
  await checkInstalled(dir, false);
});
