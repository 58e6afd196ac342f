import { operations } from '../src/operations';
import { expectUnchanged, ORG, USERS, useMock } from './support/api';

/**
 * Bad input on every operation of the table: malformed JSON, bodies of the wrong kind, wrong field types,
 * unknown and malformed ids. Each must get a 4xx PostHog error body (checked by the test client) and
 * leave the store exactly as it was.
 */
const api = useMock();

/** a real id for each path parameter, so that the body is what the request gets wrong */
const KNOWN: Record<string, string> = {
  organization_id: ORG,
  project_id: '1',
  role_id: '0190a1b2-2001-7000-8000-000000000001',
  user__uuid: USERS.member,
};
const KNOWN_ID: [RegExp, string][] = [
  [/\/roles\/:id/, '0190a1b2-2001-7000-8000-000000000001'],
  [/\/invites\/:id/, '0190a1b2-3001-7000-8000-000000000001'],
  [/\/(projects|persons|pipeline_destination_configs)\/:id/, '1'],
];

/** the path with real ids, except `bad` (one parameter's name) set to `value` */
const fill = (template: string, bad?: string, value?: string) =>
  template.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === bad) return value!;
    if (name !== 'id') return KNOWN[name]!;
    return KNOWN_ID.find(([re]) => re.test(template))?.[1] ?? '0190a1b2-0000-7000-8000-000000000000';
  });

const withBody = operations.filter((op) => op.method !== 'GET' && op.method !== 'DELETE');
const BAD_BODIES: [string, string][] = [
  ['malformed JSON', '{"name": '],
  ['a JSON string', '"text"'],
  ['a JSON number', '42'],
  ['a list of numbers', '[1, 2]'],
  [
    'wrong types everywhere',
    JSON.stringify(Object.fromEntries(FIELDS().map((f) => [f, { nested: [true] }]))),
  ],
];

/** every field name any request schema knows, to send each one with a wrong type */
function FIELDS(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { schemas } = require('../src/http/validation') as typeof import('../src/http/validation');
  return [...new Set(Object.values(schemas).flatMap((s) => Object.keys(s.properties ?? {})))];
}

describe('bad input on every operation', () => {
  test.each(
    withBody.flatMap((op) => BAD_BODIES.map(([name, body]) => [op.method, op.path, name, body] as const)),
  )('%s %s with %s → 4xx, store unchanged', async (method, path, _name, body) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.call(method, fill(path), { body, headers: { 'Content-Type': 'application/json' } });
    if (res.status < 400) {
      // a few actions take no body (reset_token) or accept any JSON they can read: they must still answer well
      expect(res.status).toBeLessThan(300);
      return;
    }
    expect(res.status).toBeLessThan(500);
    expectUnchanged(api, before);
  });

  const cases = operations.flatMap((op) =>
    [...op.path.matchAll(/:(\w+)/g)].flatMap(([, param]) =>
      ['999999', 'not-an-id', '%20'].map((id) => [op.method, op.path, param!, id] as const),
    ),
  );
  test.each(cases)('%s %s with %s = %s → 404, store unchanged', async (method, path, param, id) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.call(method, fill(path, param, id), { body: {} });
    expect(res.status).toBe(404);
    expectUnchanged(api, before);
  });
});
