import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Response } from 'supertest';
import { helpText } from '../src/config';
import { startMockServer, type MockServer } from '../src/server';
import { checkResponse } from './support/api';

/**
 * The README's examples, run as printed (real curl, in order) against a server seeded like `npm start`:
 * each must answer exactly the output block that follows it. `"…"` in a JSON output matches any value.
 */
const run = promisify(execFile);
const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const PRINTED_URL = 'http://127.0.0.1:8000';
const blocks = [...README.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1]!,
  text: m[2]!.trim(),
}));
const exportLine = blocks.find((b) => b.lang === 'sh' && b.text.startsWith('export PH='))!.text;
const examples = blocks.flatMap((block, i) => {
  const output = blocks[i + 1];
  return block.lang === 'sh' &&
    block.text.startsWith('curl ') &&
    output &&
    ['json', 'text'].includes(output.lang)
    ? [{ command: block.text, output }]
    : [];
});

function matches(expected: unknown, actual: unknown): boolean {
  if (expected === '…') return true;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((e, i) => matches(e, actual[i]))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) =>
        matches((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k]),
      )
    );
  }
  return expected === actual;
}

describe('README blocks that are not curl', () => {
  const after = (marker: string) => {
    const i = blocks.findIndex((b) => b.text.startsWith(marker));
    if (i < 0) throw new Error(`README has no block starting with ${marker}`);
    return blocks[i]!;
  };
  const example = (file: string) =>
    fs.readFileSync(path.join(__dirname, '..', 'examples', 'jest', file), 'utf8');

  test('the --help output is what the CLI prints', () => {
    const i = blocks.findIndex((b) => b.text === 'npx posthog-mock --help');
    expect(blocks[i + 1]!.lang).toBe('text');
    expect(blocks[i + 1]!.text).toBe(helpText().trim());
  });

  test('the jest config is examples/jest/jest.config.js, which CI runs', () => {
    expect(after('// jest.config.js').text).toBe(`// jest.config.js\n${example('jest.config.js').trim()}`);
  });

  test('the control-plane jest example is test/control-readme-example.test.ts, as printed', () => {
    const printed = blocks.find(
      (b) => b.lang === 'ts' && b.text.includes("mock.fault({ method: 'GET'"),
    )!.text;
    const tested = fs.readFileSync(path.join(__dirname, 'control-readme-example.test.ts'), 'utf8');
    const body = tested
      .slice(tested.indexOf('import {'))
      .replace("from '../src/index';", "from 'posthog-mock';");
    expect(printed).toBe(body.trim());
  });

  test.each([
    ['a read-only key may read persons', 'scopes.test.ts'],
    ['each jest worker uses a key of its own', 'isolation.test.ts'],
  ])('the example "%s…" runs, line by line, in test/%s', (start, file) => {
    const printed = blocks.find((b) => b.lang === 'ts' && b.text.includes(start))!.text;
    const tested = fs
      .readFileSync(path.join(__dirname, file), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    const lines = printed
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('//') && !l.startsWith('import ') && l !== '});');
    expect(lines.length).toBeGreaterThan(5);
    let at = 0;
    for (const line of lines) {
      const found = tested.indexOf(line, at);
      if (found < 0) throw new Error(`test/${file} has no line, in order: ${line}`);
      at = found + 1;
    }
  });

  test("the jest test is examples/jest's, test by test", () => {
    const printed = after('// a test of your own PostHog client').text;
    const file = example('test/posthog.test.js');
    const head = printed.slice(printed.indexOf('\n') + 1, printed.indexOf('describe('));
    expect(file.startsWith(head)).toBe(true);
    const tests = printed.split(/\n(?= {2}test\()/).slice(1);
    expect(tests.length).toBe(2);
    for (const t of tests) expect(file).toContain(t.replace(/\n\}\);$/, ''));
  });
});

describe('README examples', () => {
  let mock: MockServer;
  const headers = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-')), 'headers');
  beforeAll(async () => {
    mock = await startMockServer();
  });
  afterAll(() => mock.close());

  test('the README has a curl example for every resource', () => {
    const paths = examples.map((e) => e.command).join('\n');
    for (const resource of [
      'projects',
      'roles',
      'role_memberships',
      'invites',
      'members',
      'legal_documents',
      'oauth_applications',
      'persons',
      'persons/funnel',
      'pipeline_destination_configs',
      'pipeline_frontend_apps_configs',
    ]) {
      expect(paths).toContain(`/${resource}/`);
    }
  });

  test.each(examples.map((e, i) => [i + 1, e.command.slice(0, 90), e] as const))(
    'example %i: %s',
    async (_i, _title, { command, output }) => {
      const local = (s: string) => s.replaceAll(PRINTED_URL, mock.url);
      // asynchronously: the server answering curl runs in this process
      const { stdout } = await run('bash', ['-c', `${local(exportLine)}\n${local(command)} -D '${headers}'`]);
      const head = fs.readFileSync(headers, 'utf8').split('\r\n');
      const status = Number(head[0]!.split(' ')[1]);
      const expected = local(output.text);
      if (output.lang === 'text') {
        expect(stdout.trim()).toBe(expected);
        return;
      }
      const body: unknown = JSON.parse(stdout);
      if (!matches(JSON.parse(expected), body)) expect(body).toEqual(JSON.parse(expected));
      const method = /-X (\w+)/.exec(command)?.[1] ?? (/ -d /.test(command) ? 'POST' : 'GET');
      const url = /"(?:\$PH|http:\/\/127\.0\.0\.1:8000)([^"]+)"/.exec(command)![1]!;
      const contentType = head
        .find((h) => h.toLowerCase().startsWith('content-type:'))!
        .slice(13)
        .trim();
      // the control plane has no schema of its own: its errors are PostHog's body, its answers as printed
      if (url.startsWith('/__mock/')) {
        if (status >= 400) expect(Object.keys(body as object)).toEqual(['type', 'code', 'detail', 'attr']);
        return;
      }
      checkResponse(method, url, {
        status,
        body,
        text: stdout,
        headers: { 'content-type': contentType },
      } as unknown as Response);
    },
  );
});
