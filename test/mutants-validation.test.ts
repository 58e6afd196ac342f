import { ApiError } from '../src/http/errors';
import { MAX_JSON_DEPTH, nestingExceeds, pyType, validate } from '../src/http/validation';
import { validation } from './support/api';

/**
 * src/http/validation.ts, behaviour by behaviour (issue 11: each mutant Stryker left alive now fails here).
 * How Ajv's errors read is in test/validation.test.ts; this file holds what validate() does around them.
 */

/** the error body validate() throws, or 'valid' */
const outcome = (name: string, value: unknown, options?: { form?: boolean; attrPrefix?: string }) => {
  try {
    validate(name, value, options);
    return 'valid';
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).body;
  }
};

/** `{"a":` nested `depth` levels deep (1 = `{a: 1}`) */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('nestingExceeds', () => {
  test('counts objects and lists, not scalars; exactly the limit is fine', () => {
    expect(nestingExceeds(1, 0)).toBe(false);
    expect(nestingExceeds(null, 0)).toBe(false);
    expect(nestingExceeds({}, 1)).toBe(false);
    expect(nestingExceeds({}, 0)).toBe(true);
    expect(nestingExceeds(nested(3), 3)).toBe(false);
    expect(nestingExceeds(nested(3), 2)).toBe(true);
    expect(nestingExceeds([[[]]], 3)).toBe(false);
    expect(nestingExceeds([[[]]], 2)).toBe(true);
    // a deep branch after shallow ones, and null children
    expect(nestingExceeds({ x: null, y: 'z', w: [1, 2], v: { u: { t: {} } } }, 3)).toBe(true);
    expect(nestingExceeds({ x: null, y: 'z', w: [1, 2], v: { u: { t: {} } } }, 4)).toBe(false);
  });
});

describe('validate: which validator', () => {
  test('a JSON body is never coerced, a form body always, whichever of them comes first', () => {
    // (a plain integer field: a choice field takes its choices as text too, as DRF's ChoiceField does)
    const typed = { name: 'Typed', order: '21' };
    const notInt = validation('invalid_input', 'A valid integer is required.', 'order');
    expect(outcome('PatchedPluginConfigRequest', { ...typed })).toEqual(notInt);
    expect(validate('PatchedPluginConfigRequest', { ...typed }, { form: true })).toEqual({
      name: 'Typed',
      order: 21,
    });
    expect(outcome('PatchedPluginConfigRequest', { ...typed })).toEqual(notInt);
    // and in the other order, on another schema
    expect(validate('PatchedProjectRequest', { anonymize_ips: 'true' }, { form: true })).toEqual({
      anonymize_ips: true,
    });
    expect(outcome('PatchedProjectRequest', { anonymize_ips: 'true' })).toEqual(
      validation('invalid_input', 'Must be a valid boolean.', 'anonymize_ips'),
    );
  });
});

describe('validate: form fields holding JSON', () => {
  test('decoded where the schema wants an object or a list, alone or with null', () => {
    expect(
      validate(
        'PatchedProjectRequest',
        { app_urls: '["https://a.example"]', recording_domains: '["b.example"]', extra_settings: '{"k":1}' },
        { form: true },
      ),
    ).toEqual({
      app_urls: ['https://a.example'],
      recording_domains: ['b.example'],
      extra_settings: { k: 1 },
    });
  });

  test('left as text where the schema wants a string, and for fields the schema does not know', () => {
    expect(validate('PatchedProjectRequest', { name: '["x"]' }, { form: true })).toEqual({ name: '["x"]' });
    // an unknown field is dropped, never parsed: a prototype key stays data
    const body = JSON.parse('{"__proto__": "{\\"polluted\\": true}", "name": "P"}') as Record<
      string,
      unknown
    >;
    expect(validate('PatchedProjectRequest', body, { form: true })).toEqual({ name: 'P' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const toString = { toString: '{"a":1}', name: 'Q' };
    expect(validate('PatchedProjectRequest', toString, { form: true })).toEqual({ name: 'Q' });
  });

  test('a JSON body is not decoded: text in an object field is the wrong type', () => {
    expect(outcome('PatchedProjectRequest', { extra_settings: '{"k":1}' })).toEqual(
      validation('invalid_input', 'Expected a dictionary of items but got type "str".', 'extra_settings'),
    );
  });

  test('nested past the limit is a 400 on the field, under the bulk prefix when there is one', () => {
    const deep = JSON.stringify(nested(MAX_JSON_DEPTH + 1));
    const tooDeep = (attr: string) =>
      validation('invalid_input', `Nesting deeper than ${MAX_JSON_DEPTH} levels is not allowed.`, attr);
    expect(outcome('PatchedProjectRequest', { extra_settings: deep }, { form: true })).toEqual(
      tooDeep('extra_settings'),
    );
    expect(
      outcome('PatchedProjectRequest', { extra_settings: deep }, { form: true, attrPrefix: '3' }),
    ).toEqual(tooDeep('3__extra_settings'));
    const atLimit = JSON.stringify(nested(MAX_JSON_DEPTH));
    expect(outcome('PatchedProjectRequest', { extra_settings: atLimit }, { form: true })).toBe('valid');
  });

  test('a form value that is already a list is left to the schema', () => {
    expect(outcome('PatchedProjectRequest', { name: ['a', 'b'] }, { form: true })).toEqual(
      validation('invalid_input', 'Not a valid string.', 'name'),
    );
  });
});

describe('validate: NUL characters', () => {
  const nul = (attr: string | null) =>
    validation('null_characters_not_allowed', 'Null characters are not allowed.', attr);

  test('the first one in the body’s own order is named, in values and in keys', () => {
    expect(outcome('PatchedProjectRequest', { name: 'a\u0000', extra_settings: { k: 'b\u0000' } })).toEqual(
      nul('name'),
    );
    expect(outcome('PatchedProjectRequest', { extra_settings: { k: 'b\u0000' }, name: 'a\u0000' })).toEqual(
      nul('extra_settings__k'),
    );
    expect(
      outcome('PatchedProjectRequest', { extra_settings: { ok: [1, null, 'x'], 'k\u0000': 1 } }),
    ).toEqual(nul('extra_settings__k\u0000'));
    expect(outcome('PatchedProjectRequest', { app_urls: ['ok', null, 'bad\u0000'] })).toEqual(
      nul('app_urls__2'),
    );
  });

  test('under a bulk prefix the path starts with it', () => {
    expect(outcome('PatchedProjectRequest', { name: 'a\u0000' }, { attrPrefix: '0' })).toEqual(
      nul('0__name'),
    );
  });

  test('fields the schema drops are not judged', () => {
    expect(outcome('PatchedProjectRequest', { unknown: 'a\u0000', name: 'fine' })).toBe('valid');
  });
});

describe('pyType', () => {
  test('every JSON value has Python’s name', () => {
    expect([null, [], 'x', true, 3, 3.5, {}].map(pyType)).toEqual([
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
