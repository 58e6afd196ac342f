import type { Operation } from '../src/http/operation';
import { operations } from '../src/operations';
import { error, KEYS, useMock } from './support/api';
import { pathOf } from './support/hostile';
import { validRequest } from './support/requests';

/**
 * The permission matrix (issue 8), generated from the operation table: every operation × the owner, an
 * admin, a member and a former member, each sending the same valid request, so the only reason for a
 * difference is the caller's level. The expected answers below are written from PostHog's behaviour
 * (behaviour notes §2, §5), keyed by operation id, NOT read from the rows' `access` field; an operation
 * without an entry fails the test, so every new row must be given one (one line).
 */
const api = useMock({ seed: { personsPerProject: 10 } });

const CALLERS = ['owner', 'admin', 'member', 'former'] as const;
type Caller = (typeof CALLERS)[number];
/** a success status, or a 403 with PostHog's detail */
type Answer = number | { 403: string };
type Expected = Record<Caller, Answer>;

/** DRF's generic 403: a caller who is not a member of the organization (PostHog's membership check) */
const NOT_A_MEMBER = 'You do not have permission to perform this action.';
const ROLE_ADMIN = 'You need to have admin level or higher.';
const ORG_ADMIN = 'Your organization access level is insufficient.';
const PROJECT_ADMIN = "You don't have sufficient permissions in the project.";

/** any member of the organization may call it; a former member may not */
const members = (status: number): Expected => ({
  owner: status,
  admin: status,
  member: status,
  former: { 403: NOT_A_MEMBER },
});
/** admins and owners only: a member gets the resource's own detail */
const admins = (status: number, detail: string): Expected => ({
  owner: status,
  admin: status,
  member: { 403: detail },
  former: { 403: NOT_A_MEMBER },
});

/** any signed-in user, a member of the organization or not: the calls about the caller itself */
const anyone = (status: number): Expected => ({
  owner: status,
  admin: status,
  member: status,
  former: status,
});
/** a member of the organization in the path at any level; to anyone else it does not exist (404) */
const visibleToMembers = (status: number): Expected => ({ ...anyone(status), former: 404 });

/**
 * What PostHog answers each caller. The requests target Mia Member (members/{user__uuid}), a seeded role
 * with members, project 1 and its first destination and frontend-app configs. An operation under no
 * organization or project (e.g. users/@me) is not refused to a former member: write its four answers out,
 * `{ owner: 200, admin: 200, member: 200, former: 200 }`.
 */
const EXPECTED: Record<string, Expected> = {
  // projects: creating needs organization admin; deleting and reset_token are project admin actions
  list: members(200),
  create: admins(201, ORG_ADMIN),
  retrieve: members(200),
  update: members(200),
  partial_update: members(200),
  destroy: admins(204, PROJECT_ADMIN),
  activity_retrieve: members(200),
  is_generating_demo_data_retrieve: members(200),
  reset_token_partial_update: admins(200, PROJECT_ADMIN),
  // roles: reads for every member, writes for admins
  roles_list: members(200),
  roles_create: admins(201, ROLE_ADMIN),
  roles_retrieve: members(200),
  roles_update: admins(200, ROLE_ADMIN),
  roles_partial_update: admins(200, ROLE_ADMIN),
  roles_destroy: admins(204, ROLE_ADMIN),
  roles_role_memberships_list: members(200),
  roles_role_memberships_create: admins(201, ROLE_ADMIN),
  roles_role_memberships_destroy: admins(204, ROLE_ADMIN),
  // invites: any member may invite at or below their own level (the request invites a member)
  invites_list: members(200),
  invites_create: members(201),
  invites_destroy: members(204),
  invites_bulk_create: members(200),
  // members: setting Mia's level is for admins, and Mia cannot change her own; anyone may leave
  members_list: members(200),
  members_update: { ...admins(200, ''), member: { 403: "You can't change your own access level." } },
  members_partial_update: {
    ...admins(200, ''),
    member: { 403: "You can't change your own access level." },
  },
  members_destroy: members(204),
  members_scoped_api_keys_retrieve: members(200),
  // legal documents: admins and owners, reads too
  legal_documents_list: admins(200, ORG_ADMIN),
  legal_documents_create: admins(201, ORG_ADMIN),
  legal_documents_retrieve: admins(200, ORG_ADMIN),
  oauth_applications_list: members(200),
  // persons: every member of the project's organization; creating is refused to everyone (405)
  persons_list: members(200),
  persons_create: { ...members(405) },
  persons_retrieve: members(200),
  persons_update: members(200),
  persons_partial_update: members(200),
  persons_destroy: members(204),
  persons_update_property_create: members(200),
  persons_delete_property_create: members(200),
  persons_split_create: members(200),
  persons_activity_retrieve: members(200),
  persons_activity_retrieve_2: members(200),
  persons_properties_timeline_retrieve: members(200),
  persons_values_retrieve: members(200),
  persons_cohorts_retrieve: members(200),
  persons_funnel_retrieve: members(200),
  persons_funnel_create: members(200),
  persons_funnel_correlation_retrieve: members(200),
  persons_funnel_correlation_create: members(200),
  persons_trends_retrieve: members(200),
  persons_lifecycle_retrieve: members(200),
  persons_stickiness_retrieve: members(200),
  persons_path_retrieve: members(200),
  persons_path_create: members(200),
  persons_retention_retrieve: members(200),
  // pipeline configs: every member of the project's organization
  plugin_configs_list: members(200),
  plugin_configs_create: members(201),
  plugin_configs_rearrange_partial_update: members(200),
  plugin_configs_retrieve: members(200),
  plugin_configs_update: members(200),
  plugin_configs_partial_update: members(200),
  plugin_configs_destroy: members(204),
  plugin_configs_frontend_retrieve: members(200),
  plugin_configs_job_create: members(200),
  pipeline_frontend_apps_configs_list: members(200),
  pipeline_frontend_apps_configs_create: members(201),
  pipeline_frontend_apps_configs_retrieve: members(200),
  pipeline_frontend_apps_configs_update: members(200),
  pipeline_frontend_apps_configs_partial_update: members(200),
  pipeline_frontend_apps_configs_destroy: members(204),
  // the calls clients make first: about the caller, so a former member gets them too; the organizations and
  // projects routes list what the caller can see, so another organization's are not found (PostHog's
  // querysets filter by membership, they do not check it)
  users_retrieve: anyone(200),
  users_partial_update: anyone(200),
  personal_api_keys_retrieve: anyone(200),
  personal_api_keys_list: anyone(200),
  organizations_list: anyone(200),
  organizations_retrieve: visibleToMembers(200),
  root_projects_list: anyone(200),
  root_projects_retrieve: visibleToMembers(200),
};

/** Overrides of the shared valid request where the matrix needs one that exercises the caller's level. */
const REQUEST_BODY: Record<string, unknown> = {
  // a level for Mia Member (her own level: a no-op for an admin, refused to Mia herself)
  members_update: { level: 1 },
  members_partial_update: { level: 1 },
};

const forbidden = (detail: string) => error('authentication_error', 'permission_denied', detail);

async function call(op: Operation, caller: Caller) {
  const store = api.mock.app.store;
  store.reset();
  const path = pathOf(store, op);
  const valid = validRequest(store, op, path);
  const body = op.id in REQUEST_BODY ? REQUEST_BODY[op.id] : valid.body;
  return api.call(op.method, path + (valid.query ? `?${valid.query}` : ''), {
    key: KEYS[caller],
    ...(body !== undefined ? { body } : {}),
  });
}

describe('the permission matrix', () => {
  test('every operation of the table has an expected answer for each caller, and no entry is stale', () => {
    const ids = operations.map((op) => op.id);
    expect(ids.filter((id) => !(id in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((id) => !ids.includes(id))).toEqual([]);
  });

  const cases = operations.flatMap((op) => CALLERS.map((caller) => [op.id, op.method, caller, op] as const));
  test.each(cases)('%s (%s) as %s', async (id, _method, caller, op) => {
    const expected = EXPECTED[id]?.[caller];
    if (expected === undefined) throw new Error(`no expected answer for ${id} as ${caller}`);
    const before = typeof expected === 'number' ? undefined : api.mock.app.store.snapshot();
    const res = await call(op, caller);
    if (typeof expected === 'number') {
      expect([res.status, res.body]).toEqual([expected, expect.anything()]);
    } else {
      expect([res.status, res.body]).toEqual([403, forbidden(expected[403])]);
      // a refusal leaves the store as it was
      expect(api.mock.app.store.snapshot()).toEqual(before);
    }
  });
});
