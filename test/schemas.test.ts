import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { addPublishedFormats } from './support/openapi';
import { newAjv, schemas } from '../src/http/validation';

/**
 * schemas/ and derived/ are derived from PostHog's published reference by `npm run schemas`, and
 * `npm run schemas -- --check` (run by .ci/run, where the reference is beside the repository) proves the
 * committed files are exactly what it derives. These tests need only the committed files.
 */
describe('schemas/', () => {
  test('every schema compiles under strict Ajv, with every $ref resolved, and no format is unknown', () => {
    const ajv = newAjv();
    for (const name of Object.keys(schemas)) expect(ajv.getSchema(`${name}.json`)).toBeDefined();
    expect(Object.keys(schemas).length).toBeGreaterThan(50);
  });

  test('request schemas drop read-only fields and close their top level', () => {
    const request = schemas.ProjectRequest as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(request.additionalProperties).toBe(false);
    expect(Object.keys(request.properties)).toContain('name');
    expect(Object.keys(request.properties)).not.toContain('api_token');
    expect(Object.keys(schemas.Project!.properties!)).toContain('session_recording_retention_period');
  });
});

describe('derived/', () => {
  const dir = path.join(__dirname, '..', 'derived');
  const openapi = JSON.parse(fs.readFileSync(path.join(dir, 'posthog-openapi.json'), 'utf8')) as {
    paths: Record<string, object>;
    components: { schemas: Record<string, object> };
  };

  test('the published OpenAPI extract keeps structure, not prose', () => {
    expect(Object.keys(openapi.paths).length).toBeGreaterThan(40);
    const text = JSON.stringify(openapi.components.schemas);
    expect(text).not.toMatch(/"(title|example)":/);
    // a field called "description" stays: it is a field name, not prose
    expect(JSON.stringify(openapi.components.schemas.PluginConfig)).toContain('"description":{');
    const ajv = addPublishedFormats(new Ajv({ strict: false }));
    ajv.addSchema({ $id: 'openapi.json', components: openapi.components });
    expect(() => ajv.compile({ $ref: 'openapi.json#/components/schemas/Role' })).not.toThrow();
  });

  test("the documented operations are the docs' METHOD lines", () => {
    const ops = JSON.parse(fs.readFileSync(path.join(dir, 'documented-operations.json'), 'utf8')) as string[];
    expect(ops.length).toBeGreaterThanOrEqual(64);
    for (const op of ops) expect(op).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\/\S+$/);
  });
});
