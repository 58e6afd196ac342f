import type { ErrorObject } from 'ajv';
import { pyStr, pyType, toApiError, validate } from '../src/http/validation';
import { ApiError } from '../src/http/errors';
import { expectUnchanged, ORG, USERS, useMock, validation } from './support/api';

/**
 * How Ajv's first error becomes PostHog's (DRF's) error body: every keyword the request schemas use,
 * the attr naming (nested `a__0__b`, a prefix for bulk items, JSON-pointer escapes), and the type names
 * Python prints. Errors are built the way Ajv reports them.
 */
const ajvError = (
  keyword: string,
  instancePath: string,
  params: Record<string, unknown>,
  message?: string,
): ErrorObject => ({ keyword, instancePath, schemaPath: '#', params, message });

const body = (error: ErrorObject, root: unknown, prefix?: string) => {
  const err = toApiError(error, root, prefix);
  expect(err).toBeInstanceOf(ApiError);
  expect(err.status).toBe(400);
  return err.body;
};

describe('Ajv errors in DRF words', () => {
  test('required names the missing field, under its parents and the bulk prefix', () => {
    expect(body(ajvError('required', '', { missingProperty: 'name' }), {})).toEqual(
      validation('required', 'This field is required.', 'name'),
    );
    expect(body(ajvError('required', '/steps/0', { missingProperty: 'key' }), { steps: [{}] })).toEqual(
      validation('required', 'This field is required.', 'steps__0__key'),
    );
    expect(body(ajvError('required', '', { missingProperty: 'target_email' }), {}, '3')).toEqual(
      validation('required', 'This field is required.', '3__target_email'),
    );
  });

  test('JSON-pointer escapes in a path are undone in attr', () => {
    const root = { config: { 'a/b': 1, 'c~d': 2 } };
    expect(body(ajvError('type', '/config/a~1b', { type: 'string' }), root).attr).toBe('config__a/b');
    expect(body(ajvError('type', '/config/c~0d', { type: 'string' }), root).attr).toBe('config__c~d');
  });

  test('type: null, each expected type, and the top level', () => {
    const root = { a: null, b: 'x', c: 1.5, d: true, e: [1], f: { k: 1 }, g: 3 };
    const type = (field: string, expected: string) =>
      body(ajvError('type', `/${field}`, { type: expected }), root);
    expect(type('a', 'string')).toEqual(validation('null', 'This field may not be null.', 'a'));
    expect(type('b', 'integer')).toEqual(validation('invalid_input', 'A valid integer is required.', 'b'));
    expect(type('b', 'number')).toEqual(validation('invalid_input', 'A valid number is required.', 'b'));
    expect(type('b', 'boolean')).toEqual(validation('invalid_input', 'Must be a valid boolean.', 'b'));
    expect(type('g', 'string')).toEqual(validation('invalid_input', 'Not a valid string.', 'g'));
    expect(type('b', 'array')).toEqual(
      validation('invalid_input', 'Expected a list of items but got type "str".', 'b'),
    );
    expect(type('e', 'object')).toEqual(
      validation('invalid_input', 'Expected a dictionary of items but got type "list".', 'e'),
    );
    // several allowed types: the first one speaks
    expect(type('b', 'integer,null')).toEqual(
      validation('invalid_input', 'A valid integer is required.', 'b'),
    );
    expect(type('b', 'regex')).toEqual(validation('invalid_input', 'Invalid input.', 'b'));
    expect(body(ajvError('type', '', { type: 'object' }), [1])).toEqual(
      validation('invalid_input', 'Invalid data. Expected a dictionary, but got list.'),
    );
    expect(body(ajvError('type', '', { type: 'object' }), 'text')).toEqual(
      validation('invalid_input', 'Invalid data. Expected a dictionary, but got str.'),
    );
  });

  test('lengths, sizes, ranges and choices', () => {
    const root = { n: '', m: 'x', l: [1, 2], v: 7, c: 'Mars' };
    expect(body(ajvError('minLength', '/n', { limit: 1 }), root)).toEqual(
      validation('blank', 'This field may not be blank.', 'n'),
    );
    expect(body(ajvError('minLength', '/m', { limit: 3 }), root)).toEqual(
      validation('min_length', 'Ensure this field has at least 3 characters.', 'm'),
    );
    expect(body(ajvError('maxLength', '/m', { limit: 0 }), root)).toEqual(
      validation('max_length', 'Ensure this field has no more than 0 characters.', 'm'),
    );
    expect(body(ajvError('maxItems', '/l', { limit: 1 }), root)).toEqual(
      validation('max_length', 'Ensure this field has no more than 1 elements.', 'l'),
    );
    expect(body(ajvError('enum', '/c', { allowedValues: ['Earth'] }), root)).toEqual(
      validation('invalid_choice', '"Mars" is not a valid choice.', 'c'),
    );
    expect(body(ajvError('minimum', '/v', { limit: 10, comparison: '>=' }), root)).toEqual(
      validation('min_value', 'Ensure this value is greater than or equal to 10.', 'v'),
    );
    expect(body(ajvError('maximum', '/v', { limit: 5, comparison: '<=' }), root)).toEqual(
      validation('max_value', 'Ensure this value is less than or equal to 5.', 'v'),
    );
  });

  test('formats', () => {
    const root = { f: 'Mars/Phobos' };
    const format = (name: string) => body(ajvError('format', '/f', { format: name }), root);
    expect(format('email')).toEqual(validation('invalid_input', 'Enter a valid email address.', 'f'));
    expect(format('uuid')).toEqual(validation('invalid_input', 'Must be a valid UUID.', 'f'));
    expect(format('uri')).toEqual(validation('invalid_input', 'Enter a valid URL.', 'f'));
    expect(format('date-time')).toEqual(
      validation(
        'invalid_input',
        'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
        'f',
      ),
    );
    expect(format('iana-timezone')).toEqual(
      validation('invalid_choice', '"Mars/Phobos" is not a valid choice.', 'f'),
    );
    expect(format('hostname')).toEqual(validation('invalid_input', 'Invalid input.', 'f'));
  });

  test('a pattern is a DecimalField written as text; any other keyword answers its own message, or a generic one', () => {
    expect(body(ajvError('pattern', '/p', { pattern: '^a' }), { p: 'b' })).toEqual(
      validation('invalid_input', 'A valid number is required.', 'p'),
    );
    expect(body(ajvError('uniqueItems', '/p', {}, 'must NOT have duplicate items'), { p: [1, 1] })).toEqual(
      validation('invalid_input', 'must NOT have duplicate items', 'p'),
    );
    expect(body(ajvError('uniqueItems', '/p', {}), { p: [1, 1] })).toEqual(
      validation('invalid_input', 'Invalid input.', 'p'),
    );
  });

  test('Python type names', () => {
    expect([null, [], 'a', true, 1, 1.5, {}].map(pyType)).toEqual([
      'NoneType',
      'list',
      'str',
      'bool',
      'int',
      'float',
      'dict',
    ]);
  });
});

describe('validate', () => {
  test('drops unknown fields and answers the body', () => {
    const value = { name: 'Data', id: 'x', members: [] };
    expect(validate('RoleRequest', value)).toEqual({ name: 'Data' });
  });

  test('the first problem is reported, prefixed for bulk items', () => {
    expect(() => validate('RoleRequest', {})).toThrow(ApiError);
    try {
      validate('OrganizationInviteRequest', { target_email: 'nope' }, { attrPrefix: '2' });
      throw new Error('not rejected');
    } catch (err) {
      expect((err as ApiError).body).toEqual(
        validation('invalid_input', 'Enter a valid email address.', '2__target_email'),
      );
    }
  });

  test('form bodies are coerced and their JSON fields decoded; JSON bodies are not coerced', () => {
    const form = { plugin: '1', order: '2', enabled: 'true', config: '{"url": "https://x.example"}' };
    expect(validate('PluginConfigRequest', form, { form: true })).toEqual({
      plugin: 1,
      order: 2,
      enabled: true,
      config: { url: 'https://x.example' },
    });
    const broken = { plugin: '1', order: '2', config: '{not json' };
    expect(() => validate('PluginConfigRequest', broken, { form: true })).toThrow(
      'Expected a dictionary of items but got type "str".',
    );
    expect(() => validate('PluginConfigRequest', { plugin: '1', order: 2 })).toThrow(
      'A valid integer is required.',
    );
    // a form body that is not an object is judged as it is
    expect(() => validate('RoleRequest', 'name=x', { form: true })).toThrow(
      'Invalid data. Expected a dictionary, but got str.',
    );
  });

  test('an unknown schema is a programming error, not a 400', () => {
    expect(() => validate('NoSuchRequest', {})).toThrow('posthog-mock: no schema NoSuchRequest.json');
  });
});

/**
 * DRF's ChoiceField (an integer enum such as a member's or invite's `level`, a project's `week_start_day`,
 * a role's `feature_flags_access_level`, or a string enum such as `document_type`) refuses any value outside
 * its choices with `"<str(value)>" is not a valid choice.`, whatever the value's type: "abc" given for an
 * integer choice is an invalid choice, not "A valid integer is required.".
 */
describe('choice fields refuse values of the wrong type as DRF does', () => {
  const api = useMock();
  const ORG_PATH = `/api/organizations/${ORG}`;
  const choice = (value: string, attr: string) =>
    validation('invalid_choice', `"${value}" is not a valid choice.`, attr);

  test.each([
    ['invite level', 'POST', `${ORG_PATH}/invites/`, { target_email: 'new@hedgebox.test' }, 'level'],
    ['member level (PATCH)', 'PATCH', `${ORG_PATH}/members/${USERS.member}/`, {}, 'level'],
    ['member level (PUT)', 'PUT', `${ORG_PATH}/members/${USERS.member}/`, {}, 'level'],
    ['project week_start_day', 'PATCH', `${ORG_PATH}/projects/1/`, {}, 'week_start_day'],
    [
      'role feature_flags_access_level',
      'POST',
      `${ORG_PATH}/roles/`,
      { name: 'New' },
      'feature_flags_access_level',
    ],
    [
      'legal document document_type',
      'POST',
      `${ORG_PATH}/legal_documents/`,
      {
        company_name: 'Hedgebox Inc.',
        company_address: '1 Main St',
        representative_email: 'a@hedgebox.test',
      },
      'document_type',
    ],
  ] as const)('%s: "abc", true, 1.5 and [8] are invalid choices', async (_name, method, url, rest, field) => {
    const before = api.mock.app.store.snapshot();
    for (const [value, text] of [
      ['abc', 'abc'],
      [true, 'True'],
      [1.5, '1.5'],
      [[8], '[8]'],
      [{ a: 'b' }, "{'a': 'b'}"],
    ] as const) {
      const res = await api.call(method, url, { body: { ...rest, [field]: value } });
      expect([value, res.status, res.body]).toEqual([value, 400, choice(text, field)]);
    }
    expectUnchanged(api, before);
  });

  test('a valid choice is still taken, and an integer outside the choices names the integer', async () => {
    const ok = await api.patch(`${ORG_PATH}/members/${USERS.member}/`, { level: 8 });
    expect([ok.status, ok.body.level]).toEqual([200, 8]);
    const out = await api.patch(`${ORG_PATH}/members/${USERS.member}/`, { level: 3 });
    expect([out.status, out.body]).toEqual([400, choice('3', 'level')]);
  });

  // ChoiceField.to_internal_value looks the value up by str(value): "8" is the choice 8 in a JSON body too
  test('a choice given as its text is that choice; other texts of it are not', async () => {
    const member = await api.patch(`${ORG_PATH}/members/${USERS.member}/`, { level: '8' });
    expect([member.status, member.body.level]).toEqual([200, 8]);
    const invite = await api.post(`${ORG_PATH}/invites/`, { target_email: 'text@hedgebox.test', level: '8' });
    expect([invite.status, invite.body.level]).toEqual([201, 8]);
    const project = await api.patch(`${ORG_PATH}/projects/1/`, { week_start_day: '1' });
    expect([project.status, project.body.week_start_day]).toEqual([200, 1]);
    const before = api.mock.app.store.snapshot();
    for (const text of ['08', ' 8', '8.0', '3']) {
      const res = await api.patch(`${ORG_PATH}/members/${USERS.member}/`, { level: text });
      expect([text, res.status, res.body]).toEqual([text, 400, choice(text, 'level')]);
    }
    expectUnchanged(api, before);
  });

  test("Python's str() of a value, as DRF prints it", () => {
    expect(['abc', true, false, null, 2, 1.5, [1, 'a'], { k: "it's" }, ['a\'b"']].map(pyStr)).toEqual([
      'abc',
      'True',
      'False',
      'None',
      '2',
      '1.5',
      "[1, 'a']",
      `{'k': "it's"}`,
      `['a\\'b"']`,
    ]);
  });
});
