import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * PostHog's published OpenAPI schema (its structure, derived into derived/ by npm run schemas), used to
 * check our responses. Where it is known to be wrong or to
 * disagree with the docs we follow (PostHog's behaviour notes, sections 5 and 6), the
 * exception is written here, with its reason, and nowhere else.
 */
const OPENAPI_FILE = path.resolve(__dirname, '../../derived/posthog-openapi.json');

type Schema = Record<string, unknown>;

/** Component fields the published schema types wrongly: replaced by what the docs' examples show. */
export const COMPONENT_PATCHES: Record<string, { field: string; schema: Schema; reason: string }[]> = {
  Role: [
    {
      field: 'members',
      schema: { type: 'array' },
      reason: 'typed string; a list of role memberships at runtime',
    },
    { field: 'is_default', schema: { type: 'boolean' }, reason: 'typed string; a boolean at runtime' },
    {
      field: 'created_by',
      schema: { anyOf: [{ $ref: '#/components/schemas/UserBasic' }, { type: 'null' }] },
      reason: 'null when the creator is gone (behaviour notes: UserBasic or null)',
    },
  ],
  ProjectBackwardCompat: [
    {
      field: 'product_intents',
      schema: { type: 'array' },
      reason: 'typed string; a list of intents at runtime (docs example)',
    },
    {
      field: 'week_start_day',
      schema: { enum: [0, 1, null] },
      reason: 'null (the locale default) until a project sets it; the published enum omits null',
    },
  ],
  PluginConfig: [
    { field: 'config', schema: { type: 'object' }, reason: 'typed string; an object at runtime' },
    {
      field: 'plugin_info',
      schema: { type: ['object', 'null'] },
      reason: 'typed string; an object at runtime',
    },
    {
      field: 'delivery_rate_24h',
      schema: { type: ['number', 'null'] },
      reason: 'typed string; a number (or null) at runtime',
    },
  ],
};

/** Operations whose published response schema is not what the docs/behaviour notes say they answer. */
export const SKIPPED_OPERATIONS: Record<string, string> = {
  'GET /api/organizations/{organization_id}/projects/{id}/activity/':
    'published as a project; answers the activity envelope (behaviour notes, section 4)',
  'GET /api/organizations/{organization_id}/projects/{id}/is_generating_demo_data/':
    'published as a project; answers {"is_generating_demo_data": bool} (behaviour notes, section 5)',
  'GET /api/projects/{project_id}/persons/path/':
    '2023 export types it as a Person; answers the people-of-insight envelope (behaviour notes, section 5)',
  'POST /api/projects/{project_id}/persons/path/':
    '2023 export types it as a Person; answers the people-of-insight envelope (behaviour notes, section 5)',
  'GET /api/projects/{project_id}/persons/retention/':
    '2023 export types it as a Person; answers the people-of-insight envelope (behaviour notes, section 5)',
  'GET /api/projects/{project_id}/pipeline_destination_configs/{id}/frontend/':
    'published as a PluginConfig; answers application/javascript source (behaviour notes, section 5)',
  'PATCH /api/projects/{project_id}/pipeline_destination_configs/rearrange/':
    'published as one PluginConfig; answers a JSON array of configs (behaviour notes, section 5)',
};

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
  >;
  components: {
    schemas: Record<string, Schema & { properties?: Record<string, Schema>; required?: string[] }>;
  };
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema: `null` joins the type (and enum), or wraps the schema. */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, nullableToJsonSchema(v)]),
  ) as Schema;
  if (nullable !== true) return rest;
  if (typeof rest.type === 'string') {
    const enumWithNull = Array.isArray(rest.enum) ? { enum: [...(rest.enum as unknown[]), null] } : {};
    return { ...rest, type: [rest.type, 'null'], ...enumWithNull };
  }
  return { anyOf: [rest, { type: 'null' }] };
}

function load(): OpenApi {
  const doc = nullableToJsonSchema(JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'))) as OpenApi;
  // OpenAPI semantics: a required writeOnly property is required in requests only, never in responses.
  for (const component of Object.values(doc.components.schemas)) {
    const props = component.properties ?? {};
    if (Array.isArray(component.required)) {
      component.required = component.required.filter((f: string) => !props[f]?.writeOnly);
    }
  }
  for (const [name, patches] of Object.entries(COMPONENT_PATCHES)) {
    const component = doc.components.schemas[name];
    if (!component?.properties) throw new Error(`openapi: no component ${name}`);
    for (const p of patches) component.properties[p.field] = p.schema;
  }
  return doc;
}

const doc = load();
/** The formats PostHog's published schema uses: ajv-formats', and DRF's DecimalField as text ("12.50", ".25"). */
export function addPublishedFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  ajv.addFormat('decimal', { type: 'string', validate: /^-?(?:\d+(?:\.\d*)?|\.\d+)$/ });
  return ajv;
}

const ajv = addPublishedFormats(new Ajv({ strict: false, allErrors: true }));
ajv.addSchema({ $id: 'openapi.json', components: doc.components });
const cache = new Map<string, ValidateFunction | null>();

/** `/api/organizations/:organization_id/roles` → `/api/organizations/{organization_id}/roles/` */
export const openApiPath = (template: string): string => `${template.replace(/:(\w+)/g, '{$1}')}/`;

/**
 * The published response validator for an operation and status, or null where the published schema
 * has none (or the operation is a documented exception).
 */
export function openApiValidator(method: string, template: string, status: number): ValidateFunction | null {
  const key = `${method} ${openApiPath(template)} ${status}`;
  if (!cache.has(key)) {
    let fn: ValidateFunction | null = null;
    const op = doc.paths[openApiPath(template)]?.[method.toLowerCase()];
    const schema = op?.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (schema && !SKIPPED_OPERATIONS[`${method} ${openApiPath(template)}`]) {
      const ref = String(schema.$ref ?? '').replace('#/components', 'openapi.json#/components');
      fn = ajv.compile(ref ? { $ref: ref } : schema);
    }
    cache.set(key, fn);
  }
  return cache.get(key)!;
}

export const isPublished = (method: string, template: string): boolean =>
  Boolean(doc.paths[openApiPath(template)]?.[method.toLowerCase()]);
