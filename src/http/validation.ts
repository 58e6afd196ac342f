import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS_DIR } from '../paths';
import { ApiError, validationError } from './errors';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; [k: string]: unknown };

/** Every schema file in schemas/, by name without .json. Read once per process. */
export const schemas: Record<string, JsonSchema> = Object.fromEntries(
  fs
    .readdirSync(SCHEMAS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [
      f.slice(0, -5),
      JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, f), 'utf8')) as JsonSchema,
    ]),
);

const timezones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT']);

export function newAjv(options: ConstructorParameters<typeof Ajv>[0] = {}): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: true, ...options });
  addFormats(ajv);
  ajv.addFormat('iana-timezone', { type: 'string', validate: (tz: string) => timezones.has(tz) });
  for (const schema of Object.values(schemas)) ajv.addSchema(schema);
  return ajv;
}

/**
 * Request bodies: unknown and read-only fields are dropped (request schemas close their top level), as
 * PostHog ignores them. Form bodies arrive as strings, so their validator coerces scalar types.
 */
const jsonAjv = newAjv({ removeAdditional: true });
const formAjv = newAjv({ removeAdditional: true, coerceTypes: 'array' });
const compiled = new Map<string, ValidateFunction>();

function validator(name: string, form: boolean): ValidateFunction {
  const key = `${form ? 'form' : 'json'}:${name}`;
  let fn = compiled.get(key);
  if (!fn) {
    const ajv = form ? formAjv : jsonAjv;
    fn = ajv.getSchema(`${name}.json`);
    if (!fn) throw new Error(`posthog-mock: no schema ${name}.json`);
    compiled.set(key, fn);
  }
  return fn;
}

/** Form fields holding JSON (objects, lists) come as strings; decode them where the schema wants JSON. */
function decodeFormJson(name: string, body: Record<string, unknown>): void {
  const props = schemas[name]?.properties ?? {};
  for (const [key, value] of Object.entries(body)) {
    const type = props[key]?.type;
    const types = Array.isArray(type) ? type : [type];
    if (typeof value === 'string' && (types.includes('object') || types.includes('array'))) {
      try {
        body[key] = JSON.parse(value);
      } catch {
        // left as a string: the schema reports the wrong type
      }
    }
  }
}

/** Validates (and, for forms, coerces) `value` in place; throws PostHog's error for the first problem. */
export function validate<T>(
  name: string,
  value: unknown,
  options: { form?: boolean; attrPrefix?: string } = {},
): T {
  const form = options.form ?? false;
  if (form && value && typeof value === 'object' && !Array.isArray(value)) {
    decodeFormJson(name, value as Record<string, unknown>);
  }
  const fn = validator(name, form);
  if (!fn(value)) throw toApiError(fn.errors![0]!, value, options.attrPrefix);
  return value as T;
}

/** the type name Python (DRF) prints for a JSON value */
export const pyType = (value: unknown): string => {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
};

const at = (root: unknown, segments: string[]): unknown =>
  segments.reduce<unknown>(
    (v, s) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined),
    root,
  );

/** Ajv's first error in DRF's words, with `attr` naming the field as drf-exceptions-hog does (a__0__b). */
export function toApiError(error: ErrorObject, root: unknown, attrPrefix?: string): ApiError {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  const path = [...(attrPrefix ? [attrPrefix] : []), ...segments];
  const attr = path.length ? path.join('__') : null;
  const value = at(root, segments);
  const p = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'required':
      return validationError('required', 'This field is required.', attr);
    case 'type': {
      if (value === null) return validationError('null', 'This field may not be null.', attr);
      const expected = String(p.type).split(',')[0];
      if (expected === 'object' && segments.length === 0)
        return validationError(
          'invalid_input',
          `Invalid data. Expected a dictionary, but got ${pyType(value)}.`,
          attr,
        );
      const messages: Record<string, string> = {
        integer: 'A valid integer is required.',
        number: 'A valid number is required.',
        boolean: 'Must be a valid boolean.',
        string: 'Not a valid string.',
        array: `Expected a list of items but got type "${pyType(value)}".`,
        object: `Expected a dictionary of items but got type "${pyType(value)}".`,
      };
      return validationError('invalid_input', messages[expected ?? ''] ?? 'Invalid input.', attr);
    }
    case 'minLength':
      return p.limit === 1
        ? validationError('blank', 'This field may not be blank.', attr)
        : validationError(
            'min_length',
            `Ensure this field has at least ${String(p.limit)} characters.`,
            attr,
          );
    case 'maxLength':
      return validationError(
        'max_length',
        `Ensure this field has no more than ${String(p.limit)} characters.`,
        attr,
      );
    case 'maxItems':
      return validationError(
        'max_length',
        `Ensure this field has no more than ${String(p.limit)} elements.`,
        attr,
      );
    case 'enum':
      return validationError('invalid_choice', `"${String(value)}" is not a valid choice.`, attr);
    case 'minimum':
      return validationError(
        'min_value',
        `Ensure this value is greater than or equal to ${String(p.limit)}.`,
        attr,
      );
    case 'maximum':
      return validationError(
        'max_value',
        `Ensure this value is less than or equal to ${String(p.limit)}.`,
        attr,
      );
    case 'format': {
      const messages: Record<string, [string, string]> = {
        email: ['invalid_input', 'Enter a valid email address.'],
        uuid: ['invalid_input', 'Must be a valid UUID.'],
        uri: ['invalid_input', 'Enter a valid URL.'],
        'date-time': [
          'invalid_input',
          'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
        ],
        'iana-timezone': ['invalid_choice', `"${String(value)}" is not a valid choice.`],
      };
      const [code, detail] = messages[String(p.format)] ?? ['invalid_input', 'Invalid input.'];
      return validationError(code, detail, attr);
    }
    default:
      return validationError('invalid_input', error.message ?? 'Invalid input.', attr);
  }
}
