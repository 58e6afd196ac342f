import { notFound, requiredError, validationError } from '../http/errors';
import { RawResponse, type Context, type Operation } from '../http/operation';
import { appendCapped, PLUGIN_CONFIG_JOBS_CAP, type Store } from '../store/store';
import type { Plugin, PluginConfig, PluginKind } from '../store/types';
import { now } from '../time';
import { recordActivity, type ActivityChange, type ActivitySubject } from './activity';
import { MAX_JSON_DEPTH, nestingExceeds } from '../http/validation';

/**
 * Pipeline configs: PostHog's PluginConfig objects, one store for both collections. A config is a
 * destination config or a frontend-app config according to its plugin's kind. The docs give the detail
 * routes (retrieve, update, delete, frontend, job) only under pipeline_destination_configs; they resolve
 * any live config of the project. Frontend-app configs also have their own retrieve, update and delete, as
 * PostHog's frontend-apps viewset has them (the docs list only its list and create), which resolve
 * frontend-app configs only.
 */
const DESTINATIONS = '/api/projects/:project_id/pipeline_destination_configs';
const FRONTEND_APPS = '/api/projects/:project_id/pipeline_frontend_apps_configs';

/** What PostHog answers in place of a secret config value (the stored value is kept in full). */
export const SECRET_FIELD_VALUE = '**************** POSTHOG SECRET FIELD ****************';

const KIND_NAMES: Record<PluginKind, string> = { destination: 'destination', frontend_app: 'frontend app' };

interface PluginConfigBody {
  plugin?: number;
  order?: number;
  enabled?: boolean;
  config?: Record<string, unknown>;
  name?: string | null;
  description?: string | null;
  deleted?: boolean | null;
}

const secretKeys = (plugin: Plugin): Set<string> =>
  new Set(plugin.config_schema.filter((f) => f.secret).map((f) => f.key));

/** The config as responses show it: every non-empty secret value replaced by the placeholder. */
function maskedConfig(plugin: Plugin, config: Record<string, unknown>): Record<string, unknown> {
  const secrets = secretKeys(plugin);
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      secrets.has(key) && value ? SECRET_FIELD_VALUE : value,
    ]),
  );
}

/** PostHog's plugin serializer, as a config's `plugin_info`. */
export function pluginInfo(store: Store, plugin: Plugin) {
  const destination = plugin.kind === 'destination';
  return {
    id: plugin.id,
    plugin_type: 'repository',
    name: plugin.name,
    description: plugin.description,
    url: plugin.url,
    icon: plugin.icon,
    config_schema: plugin.config_schema.map((f) => ({ ...f })),
    tag: plugin.latest_tag,
    latest_tag: plugin.latest_tag,
    is_global: false,
    organization_id: plugin.organization_id,
    // a plugin's organization is always there (organizations are never removed; a state import checks it)
    organization_name: store.state.organizations.get(plugin.organization_id)!.name,
    capabilities: {
      jobs: [...plugin.jobs],
      methods: destination ? ['onEvent'] : [],
      scheduled_tasks: [],
    },
    public_jobs: Object.fromEntries(plugin.jobs.map((job) => [job, { payload: {} }])),
  };
}

const pluginOf = (store: Store, config: PluginConfig): Plugin => {
  const plugin = store.state.plugins.get(config.plugin_id);
  // Stryker disable next-line StringLiteral: every config's plugin is in the store (plugins are never removed; the seed and a state import check the reference), so this never throws
  if (!plugin) throw new Error(`store: plugin config ${config.id} has no plugin ${config.plugin_id}`);
  return plugin;
};

export function pluginConfigView(store: Store, config: PluginConfig) {
  const plugin = pluginOf(store, config);
  return {
    id: config.id,
    plugin: config.plugin_id,
    enabled: config.enabled,
    order: config.order,
    config: maskedConfig(plugin, config.config),
    error: config.error,
    team_id: config.team_id,
    plugin_info: pluginInfo(store, plugin),
    delivery_rate_24h: config.delivery_rate_24h,
    created_at: config.created_at,
    updated_at: config.updated_at ?? config.created_at,
    name: config.name,
    description: config.description,
    deleted: config.deleted,
  };
}

/** Live configs of the request's project whose plugin is of the kind (any kind when omitted). */
const configsOf = (ctx: Context, kind?: PluginKind): PluginConfig[] =>
  [...ctx.store.state.pluginConfigs.values()].filter(
    (c) => c.team_id === ctx.project.id && !c.deleted && (!kind || pluginOf(ctx.store, c).kind === kind),
  );

/** PostHog's list order: `order`, then `plugin` (then id, so equal pairs stay stable). */
const byOrder = (a: PluginConfig, b: PluginConfig): number =>
  a.order - b.order || a.plugin_id - b.plugin_id || a.id - b.id;

/** The live config in the path (of the kind, when given), or 404. */
function findConfig(ctx: Context, kind?: PluginKind): PluginConfig {
  const id = ctx.params.id!;
  const config = /^\d+$/.test(id) ? ctx.store.state.pluginConfigs.get(Number(id)) : undefined;
  if (!config || config.team_id !== ctx.project.id || config.deleted) throw notFound();
  if (kind && pluginOf(ctx.store, config).kind !== kind) throw notFound();
  return config;
}

const CONFIG_FIELD = 'config__';

/**
 * PostHog's web app sends config values as form fields `config__<key>` (multipart or urlencoded) rather
 * than a JSON `config`: they are folded into the body's `config` (over the keys of a `config` sent beside
 * them, as JSON text) before the body is validated, so the schema, the NUL check and the secret rule judge
 * them like any other config value. Must run before the handler first reads `ctx.body`.
 */
function foldConfigFields(ctx: Context): void {
  if (ctx.req.res?.locals.bodyKind !== 'form') return;
  const body = ctx.req.body as Record<string, unknown>; // parseBody makes every form body a plain object
  const keys = Object.keys(body).filter((k) => k.startsWith(CONFIG_FIELD) && k.length > CONFIG_FIELD.length);
  if (keys.length === 0) return;
  let base: unknown = body.config ?? {};
  if (typeof base === 'string') {
    try {
      base = JSON.parse(base);
    } catch {
      // a `config` that is not JSON stays text, left as it is below: the schema reports it
    }
  }
  if (!base || typeof base !== 'object' || Array.isArray(base) || nestingExceeds(base, MAX_JSON_DEPTH))
    return;
  const fields = Object.fromEntries(keys.map((k) => [k.slice(CONFIG_FIELD.length), body[k]]));
  for (const k of keys) delete body[k];
  body.config = Object.fromEntries([...Object.entries(base), ...Object.entries(fields)]);
}

/** The `plugin` field: a plugin of the organization (DRF's primary-key error otherwise) of the right kind. */
function findPlugin(ctx: Context, id: number, kind?: PluginKind): Plugin {
  const plugin = ctx.store.state.plugins.get(id);
  if (!plugin || plugin.organization_id !== ctx.org.id) {
    throw validationError('does_not_exist', `Invalid pk "${id}" - object does not exist.`, 'plugin');
  }
  if (kind && plugin.kind !== kind) {
    throw validationError('invalid_input', `Plugin ${id} is not a ${KIND_NAMES[kind]}.`, 'plugin');
  }
  return plugin;
}

/**
 * The config a write leaves: `incoming` merged over `base`. A secret field sent back as the placeholder
 * (or, as PostHog does, left out, null or empty) keeps its stored value. Required fields of the plugin's config
 * schema must then have a value: 400 `required` with attr `config__<key>`.
 */
function nextConfig(
  plugin: Plugin,
  stored: Record<string, unknown>,
  base: Record<string, unknown>,
  incoming: Record<string, unknown>,
): Record<string, unknown> {
  const config = { ...base, ...incoming };
  for (const key of secretKeys(plugin)) {
    const sent = incoming[key];
    if (sent === undefined || sent === null || sent === '' || sent === SECRET_FIELD_VALUE) {
      if (stored[key] !== undefined) config[key] = stored[key];
      else delete config[key];
    }
  }
  for (const field of plugin.config_schema) {
    const value = config[field.key];
    if (field.required && (value === undefined || value === null || value === '')) {
      throw requiredError(`config__${field.key}`);
    }
  }
  return config;
}

const subject = (store: Store, config: PluginConfig): ActivitySubject => ({
  scope: 'PluginConfig',
  item_id: String(config.id),
  team_id: config.team_id,
  name: config.name ?? pluginOf(store, config).name,
});

const WATCHED = ['enabled', 'order', 'config', 'name', 'description', 'deleted'] as const;

/** The fields a write changed, secret values masked, in PostHog's activity change shape. */
function changesBetween(plugin: Plugin, before: PluginConfig, after: PluginConfig): ActivityChange[] {
  const shown = (c: PluginConfig, key: (typeof WATCHED)[number]) =>
    key === 'config' ? maskedConfig(plugin, c.config) : c[key];
  return WATCHED.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).map((key) => ({
    type: 'PluginConfig',
    action: 'changed',
    field: key,
    before: shown(before, key),
    after: shown(after, key),
  }));
}

function createConfig(ctx: Context<PluginConfigBody>, kind: PluginKind) {
  foldConfigFields(ctx);
  const body = ctx.body;
  const plugin = findPlugin(ctx, body.plugin!, kind);
  const config = nextConfig(plugin, {}, {}, body.config ?? {});
  const deleted = body.deleted ?? false;
  const at = now();
  const created: PluginConfig = {
    id: ctx.store.next('pluginConfig'),
    team_id: ctx.project.id,
    plugin_id: plugin.id,
    enabled: deleted ? false : (body.enabled ?? false),
    order: body.order!,
    config,
    error: null,
    name: body.name ?? null,
    description: body.description ?? null,
    deleted,
    delivery_rate_24h: null,
    created_at: at,
    updated_at: at,
    jobs_run: [],
  };
  ctx.store.state.pluginConfigs.set(created.id, created);
  recordActivity(ctx, subject(ctx.store, created), 'created', null);
  return pluginConfigView(ctx.store, created);
}

/**
 * PUT and PATCH. `plugin` must name an existing plugin but cannot move a config to another one (PostHog
 * drops it on update). PUT replaces `config` (secrets kept as above); PATCH merges into it.
 * `deleted: true` also disables the config, and it leaves the lists.
 */
function updateConfig(ctx: Context<PluginConfigBody>, replace: boolean, kind?: PluginKind) {
  const config = findConfig(ctx, kind);
  foldConfigFields(ctx);
  const body = ctx.body;
  if (body.plugin !== undefined) findPlugin(ctx, body.plugin);
  const plugin = pluginOf(ctx.store, config);
  const before = structuredClone(config);
  if (body.config !== undefined) {
    config.config = nextConfig(plugin, config.config, replace ? {} : config.config, body.config);
  }
  if (body.order !== undefined) config.order = body.order;
  if (body.enabled !== undefined) config.enabled = body.enabled;
  if (body.name !== undefined) config.name = body.name;
  if (body.description !== undefined) config.description = body.description;
  config.deleted = body.deleted ?? false; // the config was live (findConfig): deleted only if the body says so
  if (config.deleted) config.enabled = false;
  config.updated_at = now();
  const changes = changesBetween(plugin, before, config);
  if (changes.length > 0)
    recordActivity(ctx, subject(ctx.store, config), config.deleted ? 'deleted' : 'updated', changes);
  return pluginConfigView(ctx.store, config);
}

/** PostHog's destroy: `enabled: false`, nothing else; the config stays in the lists. */
function disableConfig(ctx: Context, kind?: PluginKind): void {
  const config = findConfig(ctx, kind);
  const plugin = pluginOf(ctx.store, config);
  const before = structuredClone(config);
  config.enabled = false;
  config.updated_at = now();
  recordActivity(ctx, subject(ctx.store, config), 'deleted', changesBetween(plugin, before, config));
}

const list = (ctx: Context, kind: PluginKind) =>
  ctx.paginate(configsOf(ctx, kind).sort(byOrder), (c) => pluginConfigView(ctx.store, c));

/** The script PostHog serves when a plugin has no frontend (json.dumps spacing included). */
const NO_FRONTEND = 'export function getFrontendApp () { return {"no_frontend": true} }';

export const pluginConfigOperations: Operation[] = [
  {
    id: 'plugin_configs_list',
    method: 'GET',
    path: DESTINATIONS,
    scope: 'plugin:read',
    response: 'PaginatedPluginConfigList',
    status: 200,
    handler: (ctx) => list(ctx, 'destination'),
  },
  {
    id: 'plugin_configs_create',
    method: 'POST',
    path: DESTINATIONS,
    scope: 'plugin:write',
    request: 'PluginConfigRequest',
    response: 'PluginConfig',
    status: 201,
    handler: (ctx: Context<PluginConfigBody>) => createConfig(ctx, 'destination'),
  },
  {
    /**
     * `orders` maps config ids to their new order. As in PostHog, it works on ALL the project's enabled
     * configs, destinations and frontend apps alike; other ids are ignored, as PostHog ignores unknown
     * ones. Answers every enabled config of the project, in the new order.
     */
    id: 'plugin_configs_rearrange_partial_update',
    method: 'PATCH',
    path: `${DESTINATIONS}/rearrange`,
    scope: null,
    request: 'PluginConfigRearrangeRequest',
    response: 'PluginConfigList',
    status: 200,
    handler: (ctx: Context<{ orders?: Record<string, number> }>) => {
      // the world's own copies, to be changed
      const enabled = configsOf(ctx)
        .filter((c) => c.enabled)
        .map((c) => ctx.store.state.pluginConfigs.get(c.id)!);
      const byId = new Map(enabled.map((c) => [String(c.id), c]));
      for (const [id, order] of Object.entries(ctx.body.orders ?? {})) {
        const config = byId.get(id);
        if (!config || config.order === order) continue;
        const before = config.order;
        config.order = order;
        config.updated_at = now();
        recordActivity(ctx, subject(ctx.store, config), 'updated', [
          { type: 'PluginConfig', action: 'changed', field: 'order', before, after: order },
        ]);
      }
      return enabled.sort(byOrder).map((c) => pluginConfigView(ctx.store, c));
    },
  },
  {
    id: 'plugin_configs_retrieve',
    method: 'GET',
    path: `${DESTINATIONS}/:id`,
    scope: 'plugin:read',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx) => pluginConfigView(ctx.store, findConfig(ctx)),
  },
  {
    id: 'plugin_configs_update',
    method: 'PUT',
    path: `${DESTINATIONS}/:id`,
    scope: 'plugin:write',
    request: 'PluginConfigRequest',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx: Context<PluginConfigBody>) => updateConfig(ctx, true),
  },
  {
    id: 'plugin_configs_partial_update',
    method: 'PATCH',
    path: `${DESTINATIONS}/:id`,
    scope: 'plugin:write',
    request: 'PatchedPluginConfigRequest',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx: Context<PluginConfigBody>) => updateConfig(ctx, false),
  },
  {
    /** As in PostHog, DELETE only disables the config: it stays listed and retrievable, `deleted` false. */
    id: 'plugin_configs_destroy',
    method: 'DELETE',
    path: `${DESTINATIONS}/:id`,
    scope: 'plugin:write',
    status: 204,
    handler: (ctx) => disableConfig(ctx),
  },
  {
    id: 'plugin_configs_frontend_retrieve',
    method: 'GET',
    path: `${DESTINATIONS}/:id/frontend`,
    scope: null,
    status: 200,
    handler: (ctx) => {
      const plugin = pluginOf(ctx.store, findConfig(ctx));
      return new RawResponse('application/javascript; charset=UTF-8', plugin.frontend_source ?? NO_FRONTEND);
    },
  },
  {
    /**
     * Queues one run of a job the plugin declares; the run is kept in the config's `jobs_run`. PostHog
     * answers an empty 200; the mock answers the config, as the published schema says.
     */
    id: 'plugin_configs_job_create',
    method: 'POST',
    path: `${DESTINATIONS}/:id/job`,
    scope: null,
    request: 'PluginConfigJobRequest',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx: Context<{ job?: Record<string, unknown> }>) => {
      const config = findConfig(ctx);
      const plugin = pluginOf(ctx.store, config);
      const job = ctx.body.job ?? {};
      if (!('type' in job)) throw validationError('invalid_input', 'The job type must be specified!');
      const { type, payload = {} } = ctx.validate<{ type: string; payload?: Record<string, unknown> }>(
        'PluginConfigJob',
        job,
        'job',
      );
      if (!plugin.jobs.includes(type)) {
        const known = plugin.jobs.length ? plugin.jobs.map((j) => `"${j}"`).join(', ') : 'none';
        throw validationError(
          'invalid_choice',
          `"${type}" is not a job of ${plugin.name}. Its jobs: ${known}.`,
          'job__type',
        );
      }
      const at = now();
      appendCapped(config.jobs_run, { type, payload, at }, PLUGIN_CONFIG_JOBS_CAP);
      recordActivity(ctx, subject(ctx.store, config), 'job_triggered', null, {
        job_type: type,
        job_id: ctx.store.uuid(),
        payload,
      });
      return pluginConfigView(ctx.store, config);
    },
  },
  {
    id: 'pipeline_frontend_apps_configs_list',
    method: 'GET',
    path: FRONTEND_APPS,
    scope: 'plugin:read',
    response: 'PaginatedPluginConfigList',
    status: 200,
    handler: (ctx) => list(ctx, 'frontend_app'),
  },
  {
    id: 'pipeline_frontend_apps_configs_create',
    method: 'POST',
    path: FRONTEND_APPS,
    scope: 'plugin:write',
    request: 'PluginConfigRequest',
    response: 'PluginConfig',
    status: 201,
    handler: (ctx: Context<PluginConfigBody>) => createConfig(ctx, 'frontend_app'),
  },
  {
    id: 'pipeline_frontend_apps_configs_retrieve',
    method: 'GET',
    path: `${FRONTEND_APPS}/:id`,
    scope: 'plugin:read',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx) => pluginConfigView(ctx.store, findConfig(ctx, 'frontend_app')),
  },
  {
    id: 'pipeline_frontend_apps_configs_update',
    method: 'PUT',
    path: `${FRONTEND_APPS}/:id`,
    scope: 'plugin:write',
    request: 'PluginConfigRequest',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx: Context<PluginConfigBody>) => updateConfig(ctx, true, 'frontend_app'),
  },
  {
    id: 'pipeline_frontend_apps_configs_partial_update',
    method: 'PATCH',
    path: `${FRONTEND_APPS}/:id`,
    scope: 'plugin:write',
    request: 'PatchedPluginConfigRequest',
    response: 'PluginConfig',
    status: 200,
    handler: (ctx: Context<PluginConfigBody>) => updateConfig(ctx, false, 'frontend_app'),
  },
  {
    id: 'pipeline_frontend_apps_configs_destroy',
    method: 'DELETE',
    path: `${FRONTEND_APPS}/:id`,
    scope: 'plugin:write',
    status: 204,
    handler: (ctx) => disableConfig(ctx, 'frontend_app'),
  },
];
