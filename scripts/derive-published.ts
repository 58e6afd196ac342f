/**
 * What the tests need from PostHog's published material, derived into derived/ so that a clone of the
 * repository stands alone (`npm test` never reads ../shared):
 *
 * - derived/posthog-openapi.json: a structural extract of the OpenAPI document PostHog publishes: for
 *   each path and method its operationId, parameters, request and response schemas and security scopes;
 *   every component with its types, properties, required fields, nullability, enums, formats and limits.
 *   Descriptions, titles and examples are dropped.
 * - derived/documented-operations.json: every `METHOD /api/path` line of the two API reference pages.
 *
 * Written and checked by `npm run schemas` (scripts/derive-schemas.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const DERIVED_DIR = path.resolve(__dirname, '..', 'derived');

/** Keys of a schema node that carry prose rather than structure. */
const PROSE = new Set(['description', 'title', 'example', 'examples', 'externalDocs', 'summary', 'tags']);

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Record<string, Json>>>;
  components: { schemas: Record<string, Json>; securitySchemes?: Record<string, Json> };
}

/**
 * The extract. Within schemas every key is kept except prose; `properties` maps whose keys happen to be
 * named like prose keys (a field called `description`, say) are kept whole, since they are field names.
 */
export function extractOpenApi(doc: OpenApiDoc): Json {
  const schema = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(schema);
    if (node === null || typeof node !== 'object') return node;
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
        out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schema(v)]));
      } else if (!PROSE.has(key)) {
        out[key] = schema(value);
      }
    }
    return out;
  };
  const paths: { [path: string]: Json } = {};
  for (const [p, methods] of Object.entries(doc.paths)) {
    const ops: { [method: string]: Json } = {};
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters = ((op.parameters as Json[] | undefined) ?? []).map((param) => {
        const { name, in: where, required, schema: s } = param as { [k: string]: Json };
        return { name: name!, in: where!, required: required ?? false, schema: schema(s ?? {}) };
      });
      const responses: { [status: string]: Json } = {};
      for (const [status, r] of Object.entries((op.responses as Record<string, Json>) ?? {})) {
        const content = (r as { content?: Record<string, { schema?: Json }> }).content;
        responses[status] = content
          ? {
              content: Object.fromEntries(
                Object.entries(content).map(([t, c]) => [t, { schema: schema(c.schema ?? {}) }]),
              ),
            }
          : {};
      }
      const body =
        (op.requestBody as { content?: Record<string, { schema?: Json }>; required?: boolean }) ?? undefined;
      ops[method] = {
        operationId: op.operationId ?? null,
        parameters,
        ...(body?.content
          ? {
              requestBody: {
                required: body.required ?? false,
                content: Object.fromEntries(
                  Object.entries(body.content).map(([t, c]) => [t, { schema: schema(c.schema ?? {}) }]),
                ),
              },
            }
          : {}),
        responses,
        security: (op.security as Json) ?? [],
      };
    }
    paths[p] = ops;
  }
  return {
    openapi: doc.openapi,
    'x-derived-from': 'PostHog published OpenAPI schema (structure only; run npm run schemas)',
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(doc.components.schemas).map(([k, v]) => [k, schema(v)])),
      securitySchemes: schema(doc.components.securitySchemes ?? {}),
    },
  };
}

const OP_LINE = /^(GET|POST|PUT|PATCH|DELETE) (\/api\/\S+)$/gm;

/** Every `METHOD /api/path` line of the reference pages, sorted, each once. */
export function documentedOperations(docsDir: string): string[] {
  const lines = new Set<string>();
  for (const file of fs.readdirSync(docsDir).sort()) {
    for (const [, method, p] of fs.readFileSync(path.join(docsDir, file), 'utf8').matchAll(OP_LINE)) {
      lines.add(`${method} ${p}`);
    }
  }
  return [...lines].sort();
}

/** The derived files by name, serialized as they are committed. */
export function derivePublished(docsDir: string, openApiFile: string): Record<string, string> {
  const doc = JSON.parse(fs.readFileSync(openApiFile, 'utf8')) as OpenApiDoc;
  const serialize = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'posthog-openapi.json': serialize(extractOpenApi(doc)),
    'documented-operations.json': serialize(documentedOperations(docsDir)),
  };
}
