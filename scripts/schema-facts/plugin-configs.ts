import type { Facts } from './types';

const dateTime = { type: 'string', format: 'date-time' } as const;
/** PostgreSQL integer bounds, as PostHog's serializer declares them for `order` */
const int32 = { minimum: -2147483648, maximum: 2147483647 } as const;

/**
 * Pipeline configs (pipeline_destination_configs, pipeline_frontend_apps_configs): PostHog's PluginConfig,
 * the summary of its plugin, and the bodies of the rearrange and job actions.
 */
export const facts: Facts = {
  PluginConfig: {
    docs: 'table:PluginConfig',
    request: true,
    patch: true,
    paginated: true,
    fields: {
      id: { type: 'integer', readOnly: true },
      name: { type: 'string', nullable: true, maxLength: 400 },
      // errors come from the plugin server, never from an API client
      error: {
        type: 'object',
        nullable: true,
        values: true,
        readOnly: true,
        docsTypeWrong: 'an object (or null) at runtime, as the published schema says',
      },
      order: { type: 'integer', required: true, ...int32 },
      // published as read-only (a method field), but PostHog reads it from the request on every write
      config: {
        type: 'object',
        values: true,
        docsTypeWrong: 'an object at runtime; secret fields are masked in responses',
      },
      plugin: { type: 'integer', required: true },
      deleted: { type: 'boolean', nullable: true },
      enabled: { type: 'boolean' },
      team_id: { type: 'integer', nullable: true, readOnly: true },
      created_at: { ...dateTime, readOnly: true },
      updated_at: { ...dateTime, readOnly: true },
      description: { type: 'string', nullable: true, maxLength: 1000 },
      plugin_info: {
        ref: 'PluginInfo',
        readOnly: true,
        docsTypeWrong: "an object at runtime: the plugin's summary",
      },
      delivery_rate_24h: {
        type: 'number',
        nullable: true,
        readOnly: true,
        docsTypeWrong: 'a number (or null) at runtime',
      },
    },
  },
  /** the body of PATCH rearrange: the rearranged enabled configs */
  PluginConfigList: { fields: {}, arrayOf: { ref: 'PluginConfig' } },
  /** PostHog's plugin serializer, as `plugin_info` shows it */
  PluginInfo: {
    fields: {
      id: { type: 'integer' },
      plugin_type: { type: 'string', enum: ['local', 'custom', 'repository', 'source', 'inline'] },
      name: { type: 'string' },
      description: { type: 'string', nullable: true },
      url: { type: 'string', nullable: true },
      icon: { type: 'string', nullable: true },
      config_schema: { type: 'array', items: { type: 'object', values: true } },
      tag: { type: 'string', nullable: true },
      latest_tag: { type: 'string', nullable: true },
      is_global: { type: 'boolean' },
      organization_id: { type: 'string', format: 'uuid' },
      organization_name: { type: 'string' },
      capabilities: {
        type: 'object',
        properties: {
          jobs: { type: 'array', items: { type: 'string' } },
          methods: { type: 'array', items: { type: 'string' } },
          scheduled_tasks: { type: 'array', items: { type: 'string' } },
        },
      },
      public_jobs: { type: 'object', values: { type: 'object', values: true } },
    },
  },
  /** PATCH rearrange: `{"orders": {"<config id>": <order>}}` (no orders: nothing moves) */
  PluginConfigRearrangeRequest: {
    requestOnly: true,
    fields: {
      orders: { type: 'object', values: { type: 'integer', ...int32 } },
    },
  },
  /** POST {id}/job: `{"job": {"type": ..., "payload": {...}}}`; the handler reports a missing type */
  PluginConfigJobRequest: {
    requestOnly: true,
    fields: {
      job: { type: 'object', values: true },
    },
  },
  /** the `job` object of a job request, checked once its type is known to be there */
  PluginConfigJob: {
    requestOnly: true,
    fields: {
      type: { type: 'string', minLength: 1, required: true },
      payload: { type: 'object', values: true },
    },
  },
};
