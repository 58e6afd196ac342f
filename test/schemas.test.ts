import fs from 'node:fs';
import path from 'node:path';
import { deriveSchemas, OUT_DIR, readDocs, serialize, staleFiles } from '../scripts/derive-schemas';
import { newAjv, schemas } from '../src/http/validation';

describe('schemas/', () => {
  const derived = deriveSchemas();

  test('the committed files are exactly what the script derives from ../shared/docs', () => {
    expect(staleFiles(derived)).toEqual([]);
    for (const [name, schema] of Object.entries(derived)) {
      expect(fs.readFileSync(path.join(OUT_DIR, `${name}.json`), 'utf8')).toBe(serialize(schema));
    }
  });

  test('every schema compiles under strict Ajv, with every $ref resolved', () => {
    const ajv = newAjv();
    for (const name of Object.keys(schemas)) expect(ajv.getSchema(`${name}.json`)).toBeDefined();
  });

  test('fields come from the docs: an example response and its request parameters', () => {
    const invite = readDocs().get('example:POST /api/organizations/:organization_id/invites')!;
    expect(invite.fields.get('target_email')).toEqual({ type: 'string', writable: true });
    expect(invite.fields.get('is_expired')).toEqual({ type: 'boolean', writable: false });
    const project = derived.Project as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(project.properties)).toContain('session_recording_retention_period');
    expect(derived.ProjectRequest).toMatchObject({ additionalProperties: false });
    expect(Object.keys((derived.ProjectRequest as { properties: object }).properties)).not.toContain(
      'api_token',
    );
  });

  test('a facts file that contradicts the docs stops the derivation', () => {
    expect(() =>
      deriveSchemas({ Role: { docs: 'table:Role', fields: { name: { type: 'integer' } } } }),
    ).toThrow('Role.name: docs say string, facts say integer');
    expect(() =>
      deriveSchemas({ Role: { docs: 'table:Role', fields: { invented: { type: 'string' } } } }),
    ).toThrow("Role.invented: not in the docs' complete field list");
    expect(() => deriveSchemas({ X: { docs: 'table:Nope', fields: {} } })).toThrow(
      'X: the docs have no table:Nope',
    );
  });
});
