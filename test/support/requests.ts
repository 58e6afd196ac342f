import type { Operation } from '../../src/http/operation';
import type { Store } from '../../src/store/store';
import { validBody } from './hostile';

/** Requests the generic builder cannot make valid: the query or body each of these operations needs. */
export const VALID: Record<string, (store: Store, path: string) => { query?: string; body?: unknown }> = {
  roles_role_memberships_create: (store, path) => {
    const role = path.split('/')[5];
    const inRole = new Set(
      [...store.state.roleMemberships.values()].filter((m) => m.role_id === role).map((m) => m.user_id),
    );
    const members = [...store.state.memberships.values()].map((m) => m.user_id);
    return { body: { user_uuid: store.user(members.find((id) => !inRole.has(id))!).uuid } };
  },
  invites_bulk_create: () => ({ body: [{ target_email: 'scopes-bulk@example.com' }] }),
  legal_documents_create: () => ({
    body: {
      document_type: 'BAA',
      company_name: 'Scopes Inc.',
      representative_name: 'Ada',
      representative_email: 'ada@example.com',
      company_address: '1 Test Street',
      representative_title: 'CTO',
      dpa_mode: 'pretty',
    },
  }),
  // PostHog requires properties on PATCH too (behaviour notes §5), although the schema marks them optional
  persons_partial_update: () => ({ body: { properties: { plan: 'pro' } } }),
  persons_update_property_create: () => ({ body: { key: 'plan', value: 'pro' } }),
  persons_delete_property_create: () => ({ body: { $unset: 'plan' } }),
  persons_values_retrieve: () => ({ query: 'key=email' }),
  persons_cohorts_retrieve: (store) => ({
    query: `person_id=${[...store.state.persons.values()].find((p) => p.team_id === 1)!.uuid}`,
  }),
  persons_lifecycle_retrieve: () => ({ query: 'target_date=2025-01-01&lifecycle_type=new' }),
  plugin_configs_create: () => ({ body: { plugin: 1, order: 1, config: { url: 'https://example.com' } } }),
  pipeline_frontend_apps_configs_create: () => ({ body: { plugin: 5, order: 1 } }),
  plugin_configs_job_create: (store, path) => {
    const config = store.state.pluginConfigs.get(Number(path.split('/')[5]))!;
    return { body: { job: { type: store.state.plugins.get(config.plugin_id)!.jobs[0] } } };
  },
};

/**
 * The query and body of a valid request of `op` at `path` (pathOf's real ids): the operation's own entry in
 * VALID, else the request schema's required fields, else nothing.
 */
export const validRequest = (store: Store, op: Operation, path: string): { query?: string; body?: unknown } =>
  VALID[op.id]?.(store, path) ?? (op.request ? { body: validBody(op.request) } : {});
