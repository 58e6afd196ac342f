import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, helpText, LIMITS, OPTIONS, parseConfig } from '../src/config';
import { KEYS } from './support/api';
import { buildCli, freePort, ROOT, runCli, startCli, type Started } from './support/cli';

/**
 * The command line, run for real: the CLI is compiled once and started as a child process for every
 * flag, on free ports of 127.0.0.1. Responses here come from a separate process, so each body is
 * compared with what the flag must produce.
 */
jest.setTimeout(60_000);
beforeAll(() => buildCli(), 180_000);

const running: Started[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
});
const start = async (args: string[], env: NodeJS.ProcessEnv = {}, url?: string) => {
  const s = await startCli(args, env, url);
  running.push(s);
  return s;
};
const get = async (url: string, key: string | null = KEYS.owner) => {
  const res = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('--help and --version', () => {
  test('--help prints every option with its variable and default, and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run).toEqual({ code: 0, stdout: helpText(), stderr: '' });
    for (const spec of Object.values(OPTIONS)) {
      expect(run.stdout).toContain(`--${spec.flag}`);
      expect(run.stdout).toContain(`[${spec.env}]`);
    }
    expect(run.stdout).toContain('(default 8000) [PORT]');
  });

  test('--version prints the package version and exits 0', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('serving', () => {
  test('--port and --host: it listens there, and the banner names URL, seed, key and sizes', async () => {
    const port = await freePort();
    const s = await start(['--port', String(port), '--host', '127.0.0.1']);
    expect(s.url).toBe(`http://127.0.0.1:${port}`);
    expect(s.banner).toBe(
      `posthog-mock ${version} listening on http://127.0.0.1:${port} · seed 42 · key ${KEYS.owner} · ` +
        '12 members, 3 projects × 300 persons, 4 roles, 5 invites',
    );
    expect(await get(`${s.url}/_health`, null)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test('--host binds the address given (another loopback address)', async () => {
    const s = await start(['--port', '0', '--host', '127.0.0.2']);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect((await get(`${s.url}/_health`, null)).status).toBe(200);
  });

  test('flags beat environment variables, which beat defaults', async () => {
    const port = await freePort();
    const s = await start(['--port', String(port), '--persons', '7'], {
      PORT: '1',
      POSTHOG_MOCK_PERSONS: '9',
      POSTHOG_MOCK_ROLES: '0',
    });
    expect(s.url).toBe(`http://127.0.0.1:${port}`);
    // persons from the flag, roles from the environment, members and invites by default
    expect(s.banner).toContain('12 members, 3 projects × 7 persons, 2 roles, 5 invites');
    const persons = await get(`${s.url}/api/projects/1/persons/`);
    expect(persons.body.count).toBe(7);
  });

  test('--seed: the same seed serves the same data, another seed other data', async () => {
    const fetchPersons = async (seed: string) => {
      const s = await start(['--port', '0', '--seed', seed, '--persons', '20']);
      const res = await get(`${s.url}/api/projects/3/persons/?limit=5`);
      await s.stop();
      expect(res.status).toBe(200);
      return JSON.stringify((res.body.results as unknown[]).map((p) => (p as { uuid: string }).uuid));
    };
    const a = await fetchPersons('7');
    expect(a).toMatch(/[0-9a-f-]{36}/);
    expect(await fetchPersons('7')).toBe(a);
    expect(await fetchPersons('8')).not.toBe(a);
  });

  test('--members, --projects, --persons, --roles, --invites size the seeded world', async () => {
    const s = await start([
      '--port',
      '0',
      '--members',
      '2',
      '--projects',
      '3',
      '--persons',
      '4',
      '--roles',
      '5',
      '--invites',
      '6',
    ]);
    expect(s.banner).toContain('5 members, 5 projects × 4 persons, 7 roles, 8 invites');
    const org = '@current';
    const count = async (p: string) => (await get(`${s.url}${p}`)).body.count;
    expect(await count(`/api/organizations/${org}/members/`)).toBe(5);
    expect(await count(`/api/organizations/${org}/projects/`)).toBe(5);
    expect(await count('/api/projects/5/persons/')).toBe(4);
    expect(await count(`/api/organizations/${org}/roles/`)).toBe(7);
    expect(await count(`/api/organizations/${org}/invites/`)).toBe(8);
  });

  test('--strict-keys answers an unknown key 401; --no-strict-keys beats the variable', async () => {
    const strict = await start(['--port', '0', '--strict-keys']);
    expect(await get(`${strict.url}/api/organizations/@current/roles/`, 'phx_unknown')).toEqual({
      status: 401,
      body: {
        type: 'authentication_error',
        code: 'authentication_failed',
        detail: 'Personal API key found in request Authorization header is invalid.',
        attr: null,
      },
    });
    expect((await get(`${strict.url}/api/organizations/@current/roles/`)).status).toBe(200);
    const lax = await start(['--port', '0', '--no-strict-keys'], { POSTHOG_MOCK_STRICT_KEYS: '1' });
    expect((await get(`${lax.url}/api/organizations/@current/roles/`, 'phx_unknown')).status).toBe(200);
  });

  test('--quiet prints nothing on start', async () => {
    const port = await freePort();
    const s = await start(['--port', String(port), '--quiet'], {}, `http://127.0.0.1:${port}`);
    expect((await get(`${s.url}/_health`, null)).status).toBe(200);
    s.child.stdout.removeAllListeners('data');
    let printed = '';
    s.child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    expect(await s.stop()).toBe(0);
    expect(printed).toBe('');
    expect(s.stderr()).toBe('');
  });

  test("--fixtures DIR: the user's files replace the package's, the rest stay", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixtures-'));
    const users = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/users.json'), 'utf8')) as {
      personal_api_key?: string;
      first_name: string;
    }[];
    users[0]!.personal_api_key = 'phx_my_own_key';
    users[0]!.first_name = 'Ophelia';
    fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify(users));
    const s = await start(['--port', '0', '--fixtures', dir, '--strict-keys']);
    expect(s.banner).toContain('· key phx_my_own_key ·');
    const members = await get(`${s.url}/api/organizations/@current/members/`, 'phx_my_own_key');
    expect(members.status).toBe(200);
    const names = (members.body.results as { user: { first_name: string } }[]).map((m) => m.user.first_name);
    expect(names).toContain('Ophelia');
    expect((await get(`${s.url}/api/organizations/@current/members/`)).status).toBe(401);
    // the package's projects are still there
    expect((await get(`${s.url}/api/projects/1/persons/`, 'phx_my_own_key')).status).toBe(200);
  });

  test('9.8 shutdown on SIGTERM: answers the requests it has received or that wait to be accepted, then stops and exits 0', async () => {
    const s = await start(['--port', '0', '--persons', '3000', '--shutdown-grace', '10000']);
    const url = `${s.url}/api/projects/1/persons/?search=example&limit=100`;
    const inFlight = Array.from({ length: 30 }, () =>
      fetch(url, { headers: { Authorization: `Bearer ${KEYS.owner}` } }).then(
        (r) => r.status,
        (e: Error) => e.message,
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    const exit = s.stop('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(statuses).toEqual(Array(30).fill(200));
    expect(await exit).toBe(0);
    await expect(fetch(`${s.url}/_health`)).rejects.toThrow();
  }, 60_000);

  test('9.8 shutdown on SIGINT (Ctrl-C): exits 0 too', async () => {
    const s = await start(['--port', '0']);
    expect(await s.stop('SIGINT')).toBe(0);
  });
});

describe('9.8 start-up refusals: exit 2 with a message naming the flag or variable', () => {
  const refused = async (args: string[], env: NodeJS.ProcessEnv, message: string) => {
    const run = await runCli(args, env);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `posthog-mock: ${message}\n` });
  };

  test.each([
    [['--port', '99999'], {}, '--port must be a whole number from 0 to 65535, got "99999"'],
    [['--port', 'eighty'], {}, '--port must be a whole number from 0 to 65535, got "eighty"'],
    [['--port'], {}, '--port needs a value'],
    [
      ['--persons', '-1'],
      {},
      '--persons needs a value (write --persons=VALUE for a value that starts with -)',
    ],
    [
      ['--persons=-1'],
      {},
      `--persons must be a whole number from 0 to ${LIMITS.personsPerProject}, got "-1"`,
    ],
    [
      ['--persons', '99999999999'],
      {},
      `--persons must be a whole number from 0 to ${LIMITS.personsPerProject}, got "99999999999"`,
    ],
    [['--roles', '1000000'], {}, `--roles must be a whole number from 0 to ${LIMITS.roles}, got "1000000"`],
    [['--seed', '1.5'], {}, '--seed must be a whole number from 0 to 4294967295, got "1.5"'],
    [['--bogus'], {}, 'unknown option --bogus (posthog-mock --help lists the options)'],
    [['--quiet=yes'], {}, '--quiet takes no value'],
    [['serve'], {}, 'unexpected argument serve: options start with --'],
    [['--host', ''], {}, '--host must not be empty'],
    [[], { PORT: '70000' }, 'PORT must be a whole number from 0 to 65535, got "70000"'],
    [
      [],
      { POSTHOG_MOCK_PERSONS: '99999999999' },
      `POSTHOG_MOCK_PERSONS must be a whole number from 0 to ${LIMITS.personsPerProject}, got "99999999999"`,
    ],
    [
      ['--projects', '100', '--persons', '100000'],
      {},
      '--persons 100000 for each of 102 projects is 10200000 persons; at most 10000000 in all (lower --persons or --projects)',
    ],
    [
      [],
      { POSTHOG_MOCK_STRICT_KEYS: 'banana' },
      'POSTHOG_MOCK_STRICT_KEYS must be one of 1, true, yes, on, 0, false, no, off, got "banana"',
    ],
  ] as [string[], NodeJS.ProcessEnv, string][])('%j %j', async (args, env, message) => {
    await refused(args, env, message);
  });

  test('--fixtures naming a missing folder, or files with mistakes, stop the start with the file and place', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-fixtures');
    await refused(['--fixtures', missing], {}, `bad fixtures:\n${missing}: not a folder of fixture files`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixtures-'));
    fs.writeFileSync(path.join(dir, 'roles.json'), JSON.stringify([{ id: 'x', name: 'R', members: [] }]));
    await refused(
      ['--fixtures', dir],
      {},
      `bad fixtures:\n${path.join(dir, 'roles.json')}: [0].id: must match format "uuid"`,
    );
    fs.writeFileSync(
      path.join(dir, 'roles.json'),
      JSON.stringify([{ id: '0190a1b2-2001-7000-8000-000000000009', name: 'R', members: ['nobody@x.test'] }]),
    );
    await refused(
      ['--fixtures', dir],
      {},
      `bad fixtures:\n${path.join(dir, 'roles.json')}: [0].members[0]: no user has the email "nobody@x.test"`,
    );
    fs.writeFileSync(path.join(dir, 'roles.json'), '[{');
    const run = await runCli(['--fixtures', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/roles\.json: not valid JSON \(/);
    fs.writeFileSync(path.join(dir, 'role.json'), '[]');
    const unknown = await runCli(['--fixtures', dir]);
    expect(unknown.stderr).toContain('unknown fixture file(s) role.json');
  });

  test('a port in use exits 1 saying so', async () => {
    const s = await start(['--port', '0']);
    const port = new URL(s.url).port;
    const run = await runCli(['--port', port]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^posthog-mock: the port is in use \(listen EADDRINUSE/);
  });
});

describe('parseConfig', () => {
  test('defaults, then variables, then flags', () => {
    expect(parseConfig([], {})).toEqual({
      port: 8000,
      host: '127.0.0.1',
      fixtures: undefined,
      strictKeys: false,
      isolateByKey: false,
      maxWorlds: 1000,
      quiet: false,
      shutdownGraceMs: 5000,
      cors: undefined,
      trustProxy: false,
      controlPlane: true,
      adminToken: undefined,
      latency: 0,
      journalSize: 1000,
      logLevel: undefined,
      state: undefined,
      profile: 'docs',
      personWriteDelay: 0,
      seed: { seed: 42, members: 9, projects: 1, personsPerProject: 300, roles: 2, invites: 3 },
    });
    const c = parseConfig(['--seed', '5'], {
      POSTHOG_MOCK_SEED: '4',
      POSTHOG_MOCK_STRICT_KEYS: 'yes',
      HOST: '0.0.0.0',
    });
    expect(c).toMatchObject({ host: '0.0.0.0', strictKeys: true, seed: { seed: 5 } });
    expect(parseConfig(['--help'], {})).toEqual({ help: true });
    expect(parseConfig(['--version'], {})).toEqual({ version: true });
    expect(() => parseConfig(['--port', '-5'], {})).toThrow(ConfigError);
  });
});

describe('flags over the controls and headers', () => {
  test('--cors answers preflights for the origins given, and only for them', async () => {
    const s = await start(['--port', '0', '--cors', 'https://app.example.test, https://b.example.test']);
    const preflight = (origin: string) =>
      fetch(`${s.url}/api/projects/1/persons/`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
    expect((await preflight('https://b.example.test')).headers.get('access-control-allow-origin')).toBe(
      'https://b.example.test',
    );
    expect(
      (await preflight('https://evil.example.test')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const off = await start(['--port', '0']);
    const res = await fetch(`${off.url}/_health`, { headers: { Origin: 'https://app.example.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('--trust-proxy builds next links from X-Forwarded-Host/-Proto; without it they are ignored', async () => {
    const headers = {
      Authorization: `Bearer ${KEYS.owner}`,
      'X-Forwarded-Host': 'posthog.example.test',
      'X-Forwarded-Proto': 'https',
    };
    const next = async (url: string) =>
      (
        (await (await fetch(`${url}/api/projects/1/persons/?limit=1`, { headers })).json()) as {
          next: string;
        }
      ).next;
    const proxied = await start(['--port', '0', '--trust-proxy']);
    expect(await next(proxied.url)).toBe(
      'https://posthog.example.test/api/projects/1/persons/?limit=1&offset=1',
    );
    const direct = await start(['--port', '0']);
    expect(await next(direct.url)).toBe(`${direct.url}/api/projects/1/persons/?limit=1&offset=1`);
  });

  test('--no-control-plane: /__mock/ is not served', async () => {
    const on = await start(['--port', '0']);
    expect((await fetch(`${on.url}/__mock/health`)).status).toBe(200);
    const off = await start(['--port', '0', '--no-control-plane']);
    const res = await fetch(`${off.url}/__mock/health`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: 'invalid_request',
      code: 'not_found',
      detail: 'Not found.',
      attr: null,
    });
  });

  test('--admin-token: /__mock/ needs the token', async () => {
    const s = await start(['--port', '0', '--admin-token', 's3cret']);
    const reset = (token?: string) =>
      fetch(`${s.url}/__mock/reset`, {
        method: 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
    expect((await reset()).status).toBe(401);
    expect((await reset('wrong')).status).toBe(401);
    expect((await reset('s3cret')).status).toBe(204);
  });

  test('--latency delays API responses (not the health check); MIN-MAX too', async () => {
    const s = await start(['--port', '0', '--latency', '400']);
    const timed = async (path: string) => {
      const t = performance.now();
      const res = await fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${KEYS.owner}` } });
      expect(res.status).toBe(200);
      return performance.now() - t;
    };
    expect(await timed('/api/projects/1/persons/?limit=1')).toBeGreaterThanOrEqual(395);
    const ranged = await start(['--port', '0', '--latency', '300-350']);
    const t = performance.now();
    await fetch(`${ranged.url}/api/organizations/@current/roles/`, {
      headers: { Authorization: `Bearer ${KEYS.owner}` },
    });
    expect(performance.now() - t).toBeGreaterThanOrEqual(295);
  });

  test('--journal-size bounds the journal', async () => {
    const s = await start(['--port', '0', '--journal-size', '2']);
    for (const path of ['roles', 'members', 'invites']) {
      await fetch(`${s.url}/api/organizations/@current/${path}/`, {
        headers: { Authorization: `Bearer ${KEYS.owner}` },
      });
    }
    const journal = (await (await fetch(`${s.url}/__mock/requests`)).json()) as {
      results: { path: string }[];
    };
    expect(journal.results.map((e) => e.path)).toEqual([
      '/api/organizations/@current/invites/',
      '/api/organizations/@current/members/',
    ]);
  });

  test.each([
    [['--latency', '5-1'], '--latency must be MS or MIN-MAX, whole milliseconds from 0 to 60000, got "5-1"'],
    [
      ['--latency', 'slow'],
      '--latency must be MS or MIN-MAX, whole milliseconds from 0 to 60000, got "slow"',
    ],
    [
      ['--latency', '70000'],
      '--latency must be MS or MIN-MAX, whole milliseconds from 0 to 60000, got "70000"',
    ],
    [['--journal-size', '2000000'], '--journal-size must be a whole number from 0 to 1000000, got "2000000"'],
    [['--admin-token'], '--admin-token needs a value'],
  ])('refused: %j', async (args, message) => {
    expect(await runCli(args)).toEqual({ code: 2, stdout: '', stderr: `posthog-mock: ${message}\n` });
  });
});

describe('--log-level and --state', () => {
  test('--log-level info logs one JSON line per request with the key masked; silent logs nothing', async () => {
    const s = await start(['--port', '0', '--log-level', 'info']);
    let out = '';
    s.child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await fetch(`${s.url}/api/organizations/@current/roles/?personal_api_key=phx_supersecret_wxyz`);
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
    const line = JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      key: 'phx_…wxyz',
      operation_id: 'roles_list',
      res: { statusCode: 200 },
      msg: expect.stringMatching(
        /^GET \/api\/organizations\/@current\/roles\/\?personal_api_key=phx_…wxyz 200 \d+ms$/,
      ),
    });
    expect(out).not.toContain('supersecret');

    const quiet = await start(['--port', '0', '--log-level', 'silent']);
    let printed = '';
    quiet.child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    await fetch(`${quiet.url}/api/organizations/@current/roles/`, {
      headers: { Authorization: `Bearer ${KEYS.owner}` },
    });
    expect(await quiet.stop()).toBe(0);
    expect(printed).toBe('');
  });

  test('--state FILE starts from a saved state, and reset returns to it', async () => {
    const first = await start(['--port', '0', '--persons', '4']);
    const auth = { Authorization: `Bearer ${KEYS.owner}`, 'Content-Type': 'application/json' };
    const made = await fetch(`${first.url}/api/organizations/@current/roles/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Saved scenario' }),
    });
    expect(made.status).toBe(201);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-')), 'state.json');
    fs.writeFileSync(file, await (await fetch(`${first.url}/__mock/state`)).text());

    const s = await start(['--port', '0', '--state', file]);
    expect(s.banner).toContain('3 projects × 4 persons, 5 roles');
    const names = async () =>
      (
        (await (await fetch(`${s.url}/api/organizations/@current/roles/`, { headers: auth })).json()) as {
          results: { name: string }[];
        }
      ).results.map((r) => r.name);
    expect(await names()).toContain('Saved scenario');
    await fetch(`${s.url}/api/organizations/@current/roles/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Later' }),
    });
    expect(await names()).toContain('Later');
    expect((await fetch(`${s.url}/__mock/reset`, { method: 'POST' })).status).toBe(204);
    expect(await names()).toContain('Saved scenario');
    expect(await names()).not.toContain('Later');
  });

  test('a --state file that is missing, not JSON or not a state stops the start naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-'));
    const missing = path.join(dir, 'none.json');
    const run1 = await runCli(['--state', missing]);
    expect(run1.code).toBe(2);
    expect(run1.stderr).toBe(
      `posthog-mock: --state ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    );
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"format": ');
    const run2 = await runCli(['--state', broken]);
    expect(run2.code).toBe(2);
    expect(run2.stderr).toMatch(new RegExp(`^posthog-mock: --state ${broken}: .*JSON`));
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ format: 'something-else' }));
    const run3 = await runCli(['--state', wrong]);
    expect(run3.code).toBe(2);
    expect(run3.stderr).toMatch(
      new RegExp(
        `^posthog-mock: --state ${wrong}: State is invalid: format must be ".+"\\. \\(at format\\)\\n$`,
      ),
    );
  });

  test('--log-level takes only known levels', async () => {
    expect(await runCli(['--log-level', 'loud'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'posthog-mock: --log-level must be one of silent, error, warn, info, debug, got "loud"\n',
    });
  });
});
