/**
 * Derives schemas/*.json from PostHog's published API reference (../shared/docs) and the facts files in
 * scripts/schema-facts. The docs give each object's fields, their types and, on the org page, which
 * fields a request may set (its "Request parameters"); the facts add formats, enums, limits,
 * nullability and the fields the docs truncate. Any disagreement between the two stops the script.
 *
 * It also writes derived/ (scripts/derive-published.ts): what the tests need from the published
 * material, so that `npm test` runs on a clone with nothing beside it.
 *
 *   npm run schemas            write schemas/ and derived/ (and remove files nothing produces)
 *   npm run schemas -- --check exit 1 when the committed files differ from what the docs derive, or
 *                              when the derivation no longer refuses docs and facts that disagree
 *
 * Both need PostHog's published reference beside the repository (../shared/docs and
 * ../shared/reference/posthog-openapi.json), or POSTHOG_REFERENCE_DIR pointing at a folder holding
 * docs/ and reference/; without it they stop and say so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DERIVED_DIR, derivePublished } from './derive-published';
import type { Facts, Field, JsonType, ObjectFacts } from './schema-facts/types';

const ROOT = path.resolve(__dirname, '..');
const REFERENCE_DIR = path.resolve(process.env.POSTHOG_REFERENCE_DIR ?? path.join(ROOT, '../shared'));
export const DOCS_DIR = path.join(REFERENCE_DIR, 'docs');
export const OPENAPI_FILE = path.join(REFERENCE_DIR, 'reference', 'posthog-openapi.json');
export const OUT_DIR = path.join(ROOT, 'schemas');
const FACTS_DIR = path.join(__dirname, 'schema-facts');
const DRAFT = 'http://json-schema.org/draft-07/schema#';

type Schema = Record<string, unknown>;
/** What the docs say about one field: its base type (null when the docs don't say) and writability. */
interface DocField {
  type: JsonType | null;
  writable?: boolean;
  /** a request parameter the example response does not show */
  writeOnly?: boolean;
}
interface DocObject {
  fields: Map<string, DocField>;
  /** the docs list only some fields ("…N more") */
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Reading the docs
// ---------------------------------------------------------------------------------------------------

const OP_LINE = /^(GET|POST|PUT|PATCH|DELETE) (\/api\/\S+)$/;
const DOC_TYPES: Record<string, JsonType> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
};

function jsonTypeOf(value: unknown): JsonType | null {
  if (value === null) return null;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** The persons/roles/pipelines page: property tables under a schema name, one per content type. */
export function readTables(text: string): Map<string, DocObject> {
  const tables = new Map<string, DocObject>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] !== '| Property | Type | Required |') continue;
    const name = lines[i - 1]!.trim();
    const table = tables.get(name) ?? { fields: new Map<string, DocField>(), truncated: false };
    tables.set(name, table);
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const [, prop, type, required] = lines[j]!.split('|').map((c) => c.trim());
      if (prop!.startsWith('…')) table.truncated = true;
      // nested rows (└ ...) describe a referenced object, and the docs' table has a few broken rows
      if (prop!.startsWith('└') || !required) continue;
      else if (!table.fields.has(prop!)) table.fields.set(prop!, { type: DOC_TYPES[type!] ?? null });
    }
  }
  return tables;
}

/** The org page: per `METHOD path`, the example response and the request parameters before it. */
export function readExamples(text: string): Map<string, DocObject> {
  const lines = text.split('\n');
  const opLines = lines.flatMap((l, i) => (OP_LINE.test(l) ? [i] : []));
  const examples = new Map<string, DocObject>();
  opLines.forEach((at, k) => {
    const start = k === 0 ? 0 : opLines[k - 1]!;
    const end = opLines[k + 1] ?? lines.length;
    const before = lines.slice(start, at);
    const lastStatus = before.map((l) => l.startsWith('Status ')).lastIndexOf(true);
    const params = readRequestParameters(before.slice(lastStatus + 1));
    const response = readExampleResponse(lines.slice(at, end));
    const fields = new Map<string, DocField>();
    for (const [key, value] of Object.entries(response ?? {})) {
      fields.set(key, { type: jsonTypeOf(value), writable: params.has(key) });
    }
    for (const [key, type] of params) {
      if (!fields.has(key)) fields.set(key, { type, writable: true, writeOnly: response !== null });
    }
    if (fields.size > 0) examples.set(lines[at]!, { fields, truncated: false });
  });
  return examples;
}

function readRequestParameters(lines: string[]): Map<string, JsonType | null> {
  const params = new Map<string, JsonType | null>();
  const from = lines.indexOf('Request parameters');
  if (from < 0) return params;
  for (let i = from + 1; i < lines.length && lines[i] !== 'Response'; i++) {
    const bullet = /^ {2}• (\w+)$/.exec(lines[i]!);
    if (bullet) params.set(bullet[1]!, DOC_TYPES[lines[i + 1]?.trim() ?? ''] ?? null);
  }
  return params;
}

/** The JSON after `RESPONSE`, up to its closing brace; a paginated example gives its first result. */
function readExampleResponse(lines: string[]): Record<string, unknown> | null {
  const from = lines.indexOf('RESPONSE');
  if (from < 0) return null;
  let depth = 0;
  const json: string[] = [];
  for (const line of lines.slice(from + 1)) {
    json.push(line);
    depth += (line.match(/[{[]/g) ?? []).length - (line.match(/[}\]]/g) ?? []).length;
    if (depth === 0) break;
  }
  const body = JSON.parse(json.join('\n')) as Record<string, unknown>;
  const results = body.results;
  if (Array.isArray(results) && 'count' in body) return results[0] as Record<string, unknown>;
  return body;
}

export function readDocs(docsDir = DOCS_DIR): Map<string, DocObject> {
  const docs = new Map<string, DocObject>();
  for (const file of fs.readdirSync(docsDir).sort()) {
    const text = fs.readFileSync(path.join(docsDir, file), 'utf8');
    for (const [name, table] of readTables(text)) docs.set(`table:${name}`, table);
    for (const [op, example] of readExamples(text)) docs.set(`example:${op}`, example);
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------------
// Merging docs and facts
// ---------------------------------------------------------------------------------------------------

/** Every facts file in scripts/schema-facts, merged; an object defined twice is an error. */
export function loadFacts(): Facts {
  const all: Facts = {};
  for (const file of fs.readdirSync(FACTS_DIR).sort()) {
    if (!file.endsWith('.ts') || file === 'types.ts') continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { facts } = require(path.join(FACTS_DIR, file)) as { facts: Facts };
    for (const [name, object] of Object.entries(facts)) {
      if (all[name]) throw new Error(`${file}: ${name} is defined twice`);
      all[name] = object;
    }
  }
  return all;
}

/** The object's fields in docs order (then facts-only ones), each docs field checked against its facts. */
function mergeFields(name: string, object: ObjectFacts, docs: Map<string, DocObject>): [string, Field][] {
  if (!object.docs) return Object.entries(object.fields);
  const doc = docs.get(object.docs);
  if (!doc) throw new Error(`${name}: the docs have no ${object.docs}`);
  const merged: [string, Field][] = [];
  for (const [key, docField] of doc.fields) {
    const fact = object.fields[key] ?? {};
    const type = fact.type ?? docField.type ?? 'any';
    const compatible =
      docField.type === null ||
      fact.type === undefined ||
      fact.type === 'any' ||
      fact.type === docField.type ||
      (docField.type === 'integer' && fact.type === 'number') ||
      // the docs' tables call every enum and nested serializer "object"
      (object.docs.startsWith('table:') && docField.type === 'object') ||
      fact.docsTypeWrong !== undefined;
    if (!compatible) throw new Error(`${name}.${key}: docs say ${docField.type}, facts say ${fact.type}`);
    const access =
      docField.writable === undefined || fact.readOnly || fact.writeOnly
        ? {}
        : docField.writeOnly
          ? { writeOnly: true }
          : { readOnly: !docField.writable };
    merged.push([key, { ...access, ...fact, type }]);
  }
  for (const [key, fact] of Object.entries(object.fields)) {
    if (doc.fields.has(key)) continue;
    if (!doc.truncated && !object.docs.startsWith('example:') && fact.notInDocs === undefined)
      throw new Error(`${name}.${key}: not in the docs' complete field list`);
    merged.push([key, fact]);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------
// Writing JSON Schema
// ---------------------------------------------------------------------------------------------------

function fieldSchema(field: Field): Schema {
  if (field.ref) {
    const ref = { $ref: `${field.ref}.json` };
    return field.nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const s: Schema = {};
  const type = field.type ?? 'any';
  if (type !== 'any') s.type = field.nullable ? [type, 'null'] : type;
  if (field.format) s.format = field.format;
  if (field.enum) s.enum = field.nullable && !field.enum.includes(null) ? [...field.enum, null] : field.enum;
  for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'maxItems', 'pattern'] as const) {
    if (field[key] !== undefined) s[key] = field[key];
  }
  if (field.items) s.items = fieldSchema(field.items);
  if (field.properties) {
    s.properties = Object.fromEntries(Object.entries(field.properties).map(([k, f]) => [k, fieldSchema(f)]));
    s.required = Object.entries(field.properties)
      .filter(([, f]) => !f.optional)
      .map(([k]) => k);
    s.additionalProperties = false;
  } else if (field.values) {
    s.additionalProperties = field.values === true ? true : fieldSchema(field.values);
  }
  return s;
}

const header = (name: string, description: string): Schema => ({
  $schema: DRAFT,
  $id: `${name}.json`,
  title: name,
  description,
});

function objectSchema(name: string, description: string, fields: [string, Field][], required: string[]) {
  return {
    ...header(name, description),
    type: 'object',
    properties: Object.fromEntries(fields.map(([k, f]) => [k, fieldSchema(f)])),
    required,
    additionalProperties: false,
  };
}

export function deriveSchemas(facts: Facts = loadFacts(), docs = readDocs()): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const add = (name: string, schema: Schema) => {
    if (out[name]) throw new Error(`${name}.json would be written twice`);
    out[name] = schema;
  };
  for (const [name, object] of Object.entries(facts)) {
    const source = object.docs ? ` (${object.docs})` : '';
    if (object.arrayOf) {
      add(name, { ...header(name, `${name}${source}`), type: 'array', items: fieldSchema(object.arrayOf) });
      continue;
    }
    const fields = mergeFields(name, object, docs);
    const writable = fields.filter(([, f]) => !f.readOnly);
    const requiredOnWrite = writable.filter(([, f]) => f.required).map(([k]) => k);
    if (object.requestOnly) {
      add(name, objectSchema(name, `Request body${source}`, writable, requiredOnWrite));
      continue;
    }
    const shown = fields.filter(([, f]) => !f.writeOnly);
    const alwaysShown = shown.filter(([, f]) => !f.optional).map(([k]) => k);
    add(name, objectSchema(name, `${name} response${source}`, shown, alwaysShown));
    if (object.request) {
      add(
        `${name}Request`,
        objectSchema(`${name}Request`, `Create/replace body${source}`, writable, requiredOnWrite),
      );
    }
    if (object.patch) {
      add(
        `Patched${name}Request`,
        objectSchema(`Patched${name}Request`, `Partial update body${source}`, writable, []),
      );
    }
    if (object.paginated) {
      const list = `Paginated${name}List`;
      add(list, {
        ...header(list, `Page of ${name}: limit/offset envelope`),
        type: 'object',
        properties: {
          count: { type: 'integer' },
          next: { type: ['string', 'null'], format: 'uri' },
          previous: { type: ['string', 'null'], format: 'uri' },
          results: { type: 'array', items: { $ref: `${name}.json` } },
        },
        required: ['count', 'next', 'previous', 'results'],
        additionalProperties: false,
      });
    }
  }
  return out;
}

export const serialize = (schema: Schema): string => `${JSON.stringify(schema, null, 2)}\n`;

/** Files that differ between the committed schemas/ and what the docs derive. */
export function staleFiles(derived: Record<string, Schema>, dir = OUT_DIR): string[] {
  const committed = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const expected = new Set(Object.keys(derived).map((n) => `${n}.json`));
  const stale = committed.filter((f) => !expected.has(f));
  for (const [name, schema] of Object.entries(derived)) {
    const file = path.join(dir, `${name}.json`);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== serialize(schema))
      stale.push(`${name}.json`);
  }
  return stale.sort();
}

/** Stops with a message naming what is missing when the published reference is not there. */
function requireReference(): void {
  const missing = [DOCS_DIR, OPENAPI_FILE].filter((p) => !fs.existsSync(p));
  if (missing.length === 0) return;
  console.error(
    [
      `npm run schemas needs PostHog's published reference, and did not find: ${missing.join(', ')}.`,
      'It reads the two API reference pages (docs/*.txt) and the published OpenAPI schema',
      '(reference/posthog-openapi.json) from ../shared beside the repository, or from the folder named by',
      'POSTHOG_REFERENCE_DIR. The tests do not need them: they use the committed schemas/ and derived/.',
    ].join('\n'),
  );
  process.exit(2);
}

/** The derivation still refuses what it must refuse: facts that contradict the docs. */
function selfCheck(): string[] {
  const failures: string[] = [];
  const refuses = (facts: Facts, message: string) => {
    try {
      deriveSchemas(facts);
      failures.push(`derivation accepted contradicting facts (expected "${message}")`);
    } catch (err) {
      if (!String((err as Error).message).includes(message))
        failures.push(`expected "${message}", got "${(err as Error).message}"`);
    }
  };
  refuses(
    { Role: { docs: 'table:Role', fields: { name: { type: 'integer' } } } },
    'Role.name: docs say string, facts say integer',
  );
  refuses(
    { Role: { docs: 'table:Role', fields: { invented: { type: 'string' } } } },
    "Role.invented: not in the docs' complete field list",
  );
  refuses({ X: { docs: 'table:Nope', fields: {} } }, 'X: the docs have no table:Nope');
  // fields come from the docs: an example response and its request parameters decide writability
  const invite = readDocs().get('example:POST /api/organizations/:organization_id/invites');
  const field = (name: string) => JSON.stringify(invite?.fields.get(name));
  if (field('target_email') !== JSON.stringify({ type: 'string', writable: true }))
    failures.push(`invites example: target_email read as ${field('target_email')}`);
  if (field('is_expired') !== JSON.stringify({ type: 'boolean', writable: false }))
    failures.push(`invites example: is_expired read as ${field('is_expired')}`);
  return failures;
}

function main(): void {
  requireReference();
  const derived = deriveSchemas();
  const published = derivePublished(DOCS_DIR, OPENAPI_FILE);
  const stalePublished = (): string[] =>
    Object.entries(published)
      .filter(([name, text]) => {
        const file = path.join(DERIVED_DIR, name);
        return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
      })
      .map(([name]) => `derived/${name}`);
  if (process.argv.includes('--check')) {
    const problems = [...selfCheck()];
    const stale = [...staleFiles(derived).map((f) => `schemas/${f}`), ...stalePublished()];
    if (stale.length > 0)
      problems.push(`not what the docs derive (run npm run schemas): ${stale.join(', ')}`);
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      process.exit(1);
    }
    console.log(
      `schemas/: ${Object.keys(derived).length} files, derived/: ${Object.keys(published).length} files, all as derived`,
    );
    return;
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const f of fs.readdirSync(OUT_DIR)) if (f.endsWith('.json')) fs.rmSync(path.join(OUT_DIR, f));
  for (const [name, schema] of Object.entries(derived)) {
    fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), serialize(schema));
  }
  fs.mkdirSync(DERIVED_DIR, { recursive: true });
  for (const [name, text] of Object.entries(published)) fs.writeFileSync(path.join(DERIVED_DIR, name), text);
  console.log(
    `schemas/: wrote ${Object.keys(derived).length} files; derived/: wrote ${Object.keys(published).length}`,
  );
}

if (require.main === module) main();
