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
const jsonAjv = newAjv({ removeAdditional: true, verbose: true });
const formAjv = newAjv({ removeAdditional: true, coerceTypes: 'array', verbose: true });
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

/**
 * The deepest JSON the mock takes, in nested objects and lists. PostHog's parser (Python's json) gives up near
 * 1,000; the mock stops at 512 so that everything it stores stays far inside what copying a state
 * (structuredClone fails near 1,950 levels, fewer when called deep in a stack) and answering can handle.
 */
export const MAX_JSON_DEPTH = 512;

/** Whether `value` nests objects/lists deeper than `max` levels (iterative: any depth is safe to ask about). */
export function nestingExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) {
      // Stryker disable next-line LogicalOperator: a scalar or null pushed onto the stack is skipped when popped, so pushing it changes nothing
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The path (`a__0__b`) of the first string or key holding a NUL character, which PostHog refuses. */
function nulPath(value: unknown): string[] | undefined {
  type Step = { key: string; parent: Step | undefined } | undefined;
  const pathOf = (step: Step): string[] => {
    const keys: string[] = [];
    for (let s = step; s; s = s.parent) keys.unshift(s.key);
    return keys;
  };
  const stack: [unknown, Step][] = [[value, undefined]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return pathOf(at);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v).reverse()) {
        const step = { key, parent: at };
        if (key.includes('\0')) return pathOf(step);
        stack.push([child, step]);
      }
    }
  }
  return undefined;
}

/** Form fields holding JSON (objects, lists) come as strings; decode them where the schema wants JSON. */
function decodeFormJson(name: string, body: Record<string, unknown>, attrPrefix?: string): void {
  const props = schemas[name]?.properties ?? {};
  for (const [key, value] of Object.entries(body)) {
    const type = Object.prototype.hasOwnProperty.call(props, key) ? props[key]?.type : undefined;
    const types = Array.isArray(type) ? type : [type];
    if (typeof value === 'string' && (types.includes('object') || types.includes('array'))) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        continue; // left as a string: the schema reports the wrong type
      }
      if (nestingExceeds(parsed, MAX_JSON_DEPTH)) {
        throw validationError(
          'invalid_input',
          `Nesting deeper than ${MAX_JSON_DEPTH} levels is not allowed.`,
          attrPrefix ? `${attrPrefix}__${key}` : key,
        );
      }
      body[key] = parsed;
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
    decodeFormJson(name, value as Record<string, unknown>, options.attrPrefix);
  }
  const fn = validator(name, form);
  // a choice given as its text ("8" for 8) is taken, then the body is judged again: each pass turns one
  // string into a number, so the passes are bounded by the body's own values
  while (!fn(value)) {
    const error = fn.errors![0]!;
    if (!takeChoiceText(error, value)) throw toApiError(error, value, options.attrPrefix);
  }
  // what the schema kept: PostHog cannot store a NUL character (DRF's CharField and Postgres refuse it)
  const nul = nulPath(value);
  if (nul) {
    const path = [...(options.attrPrefix ? [options.attrPrefix] : []), ...nul];
    throw validationError(
      'null_characters_not_allowed',
      'Null characters are not allowed.',
      path.length ? path.join('__') : null,
    );
  }
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

/** the text Python's str() gives a JSON value (DRF puts it in `"<input>" is not a valid choice.`) */
export const pyStr = (value: unknown): string => (typeof value === 'string' ? value : pyRepr(value));

function pyRepr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') {
    // Python quotes with ' unless the text holds a ' and no "
    const escaped = value.replace(/\\/g, '\\\\');
    if (value.includes("'") && !value.includes('"')) return `"${escaped}"`;
    return `'${escaped.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as object)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** DRF's ChoiceField refuses anything outside its choices, whatever its type, with this message. */
const invalidChoice = (value: unknown, attr: string | null): ApiError =>
  validationError('invalid_choice', `"${pyStr(value)}" is not a valid choice.`, attr);

const at = (root: unknown, segments: string[]): unknown =>
  segments.reduce<unknown>(
    // Stryker disable next-line LogicalOperator: Ajv's instancePath runs through objects and lists only, so v is never a truthy scalar here
    (v, s) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined),
    root,
  );

/** the keys of an Ajv error's instance path */
const segmentsOf = (error: ErrorObject): string[] =>
  error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** the choices of the schema an error was reported against (request validators report verbose errors) */
const choicesOf = (error: ErrorObject): unknown[] | undefined => {
  const choices = (error.parentSchema as { enum?: unknown } | undefined)?.enum;
  return Array.isArray(choices) ? choices : undefined;
};

/**
 * DRF's ChoiceField looks a value up by its text (`str(value)`), so a JSON string naming a non-string choice
 * ("8" for the level 8) is that choice. Replaces such a value in place by its choice; false when the error
 * is anything else.
 */
function takeChoiceText(error: ErrorObject, root: unknown): boolean {
  const choices = error.keyword === 'type' ? choicesOf(error) : undefined;
  const segments = segmentsOf(error);
  const key = segments.at(-1);
  if (!choices || key === undefined) return false;
  const value = at(root, segments);
  if (typeof value !== 'string') return false;
  const choice = choices.find((c) => c !== null && typeof c !== 'string' && pyStr(c) === value);
  const parent = at(root, segments.slice(0, -1));
  if (choice === undefined || !parent || typeof parent !== 'object') return false;
  Object.defineProperty(parent, key, { value: choice, writable: true, enumerable: true, configurable: true });
  return true;
}

/** Ajv's first error in DRF's words, with `attr` naming the field as drf-exceptions-hog does (a__0__b). */
export function toApiError(error: ErrorObject, root: unknown, attrPrefix?: string): ApiError {
  const segments = segmentsOf(error);
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
      // a field with choices (an integer enum such as `level`, a string enum such as `document_type`) is
      // a ChoiceField in DRF: a value of the wrong type is an invalid choice, not a type error
      if (choicesOf(error)) return invalidChoice(value, attr);
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
      return invalidChoice(value, attr);
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
    case 'pattern':
      // the only patterned fields are DRF DecimalFields written as text (scripts/schema-facts)
      return validationError('invalid_input', 'A valid number is required.', attr);
    default:
      return validationError('invalid_input', error.message ?? 'Invalid input.', attr);
  }
}
