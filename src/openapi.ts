import type { Request, Response } from 'express';
import type { Operation } from './http/operation';
import { schemas } from './http/validation';
import { operations } from './operations';
import { PACKAGE_VERSION } from './paths';

type Json = Record<string, unknown>;

const SECURITY_SCHEME = 'PersonalAPIKeyAuth';
/** The errors any operation may answer, each with PostHog's Error body. */
const ERROR_RESPONSES: Record<string, string> = {
  '400': 'The request is invalid (validation_error or invalid_request).',
  '401': 'No personal API key, or one PostHog does not accept.',
  '403': 'The key or its user may not do this.',
  '404': 'The path, or an object in it, does not exist.',
  '405': 'The method is not allowed on this path.',
  '415': 'The body has a media type the API does not parse.',
  '429': 'Throttled; Retry-After says when to try again.',
  '500': "A server error (or one forced through the mock's controls).",
  '503': "Service unavailable (forced through the mock's controls).",
};

/** draft-07 files of schemas/ as OpenAPI 3.1 components: refs between files become component refs. */
function component(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(component);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === '$id') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = `#/components/schemas/${value.replace(/\.json$/, '')}`;
    } else {
      out[key] = component(value);
    }
  }
  return out;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
/** express `:param` to OpenAPI `{param}`, with the trailing slash PostHog's paths have */
const openApiPath = (template: string): string => `${template.replace(/:(\w+)/g, '{$1}')}/`;

function parameters(op: Operation): Json[] {
  const out: Json[] = [...op.path.matchAll(/:(\w+)/g)]
    .map(([, param]) => param!)
    .map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description:
        name === 'organization_id' || name === 'project_id'
          ? `An id, or @current for the key's current ${name === 'project_id' ? 'project' : 'organization'}.`
          : `The object's ${name.replace('__', ' ')}.`,
    }));
  if (op.response?.startsWith('Paginated')) {
    out.push(
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1 },
        description: 'Results per page.',
      },
      {
        name: 'offset',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 0 },
        description: 'Index of the first result.',
      },
    );
  }
  return out;
}

function success(op: Operation): Json {
  if (op.status === 204) return { description: 'Done; no body.' };
  if (!op.response) {
    return { description: 'Success; the body is not JSON.', content: { '*/*': { schema: {} } } };
  }
  return { description: 'Success.', content: { 'application/json': { schema: ref(op.response) } } };
}

function operationObject(op: Operation): Json {
  const responses: Json = { [String(op.status)]: success(op) };
  for (const status of Object.keys(ERROR_RESPONSES))
    responses[status] = { $ref: `#/components/responses/Error${status}` };
  const params = parameters(op);
  return {
    operationId: op.id,
    ...(params.length ? { parameters: params } : {}),
    ...(op.request
      ? {
          requestBody: {
            required: op.method !== 'PATCH',
            content: Object.fromEntries(
              ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].map((type) => [
                type,
                { schema: ref(op.request!) },
              ]),
            ),
          },
        }
      : {}),
    responses,
    security: [{ [SECURITY_SCHEME]: op.scope === null ? [] : [op.scope].flat() }],
    ...(op.sessionOnly
      ? {
          description:
            'PostHog refuses every personal API key for this action (session only); the mock serves it unless keys are strict.',
        }
      : op.scope !== null
        ? {}
        : { description: 'PostHog refuses scoped personal API keys for this action.' }),
  };
}

/**
 * The OpenAPI 3.1 document of everything the mock serves, generated from the operation table and
 * schemas/: one operation per row (its request and response schemas, path parameters, the scope it
 * needs), PostHog's Error body for every error status, and the personal-API-key bearer scheme.
 */
export function buildOpenApiDocument(ops: readonly Operation[] = operations): Json {
  const paths: Record<string, Json> = {};
  for (const op of ops) {
    const p = (paths[openApiPath(op.path)] ??= {});
    p[op.method.toLowerCase()] = operationObject(op);
  }
  const used = new Set<string>(['Error']);
  const visit = (name: string): void => {
    if (used.has(name) && name !== 'Error') return;
    used.add(name);
    for (const [, target] of JSON.stringify(schemas[name]).matchAll(/"\$ref":"(\w+)\.json"/g)) visit(target!);
  };
  for (const op of ops) for (const name of [op.request, op.response]) if (name) visit(name);
  visit('Error');
  return {
    openapi: '3.1.0',
    info: {
      title: 'posthog-mock',
      version: PACKAGE_VERSION,
      description:
        "PostHog's management REST API as served by posthog-mock: generated at runtime from its operation table and schemas/.",
    },
    paths,
    components: {
      schemas: Object.fromEntries([...used].sort().map((name) => [name, component(schemas[name])])),
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: ref('Error') } } },
        ]),
      ),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal API key (phx_...) in the Authorization header.',
        },
      },
    },
    security: [{ [SECURITY_SCHEME]: [] }],
  };
}

let cached: string | undefined;

/** GET /api/schema/: public, as PostHog serves its own; built once per process. */
export function serveOpenApi(_req: Request, res: Response): void {
  cached ??= JSON.stringify(buildOpenApiDocument());
  res.type('application/vnd.oai.openapi+json').send(cached);
}
