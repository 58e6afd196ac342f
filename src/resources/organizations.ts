import { notFound, permissionDenied } from '../http/errors';
import type { Context, Operation } from '../http/operation';
import { keyRestrictions, SCOPED_PROJECTS_ONLY } from '../http/scopes';
import { isUuid, type Store } from '../store/store';
import type { Organization, Project, User } from '../store/types';
import { membershipOf } from './views';

/**
 * Root organizations (`/api/organizations/`, `/{id}/`, `/@current/`), as PostHog's OrganizationViewSet
 * serves them: the organizations the caller belongs to, narrowed by a strict key's organizations. Also the
 * rules the user and root project endpoints share: which organizations and projects a user can see, and
 * which are current.
 */

const ORGANIZATIONS = '/api/organizations';

/** the organizations `user` belongs to, in the order they joined them */
export function organizationsOf(store: Store, user: User): Organization[] {
  return [...store.state.memberships.values()]
    .filter((m) => m.user_id === user.id)
    .sort((a, b) => (a.joined_at < b.joined_at ? -1 : a.joined_at > b.joined_at ? 1 : 0))
    .flatMap((m) => store.state.organizations.get(m.organization_id) ?? []);
}

/** the projects of an organization the user belongs to (the mock has no per-project access control) */
export const projectsOf = (store: Store, organizationId: string): Project[] =>
  [...store.state.projects.values()]
    .filter((p) => p.organization === organizationId)
    .sort((a, b) => a.id - b.id);

/**
 * The user's current organization as PostHog resolves it: the one they chose while they are a member of
 * it, else the first they belong to; null for a user who belongs to none.
 */
export function currentOrganization(store: Store, user: User): Organization | null {
  const orgs = organizationsOf(store, user);
  return orgs.find((o) => o.id === user.current_organization_id) ?? orgs[0] ?? null;
}

/** The current project: the one chosen in the current organization, else that organization's first. */
export function currentProject(store: Store, user: User): Project | null {
  const org = currentOrganization(store, user);
  if (!org) return null;
  const projects = projectsOf(store, org.id);
  return projects.find((p) => p.id === user.current_team_id) ?? projects[0] ?? null;
}

/** PostHog's slugify of an organization's name: lower case, runs of anything else as one `-` */
export const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'organization';

/** TeamBasic: a project as the user and organization objects nest it. */
export const teamBasic = (project: Project) => ({
  id: project.id,
  uuid: project.uuid,
  organization: project.organization,
  project_id: project.id,
  api_token: project.api_token,
  name: project.name,
  completed_snippet_onboarding: project.completed_snippet_onboarding,
  has_completed_onboarding_for: project.has_completed_onboarding_for,
  ingested_event: project.ingested_event,
  is_demo: project.is_demo,
  timezone: project.timezone,
  access_control: project.access_control,
});

const levelIn = (store: Store, org: Organization, user: User) =>
  membershipOf(store, org.id, user.id)?.level ?? null;

/**
 * Settings the mock's organizations do not keep: PostHog's defaults for a new cloud organization (plugins
 * access level 3 is CONFIG, cloud's default; nothing enforces 2FA; members may invite and use keys).
 */
const ORGANIZATION_DEFAULTS = {
  logo_media_id: null,
  plugins_access_level: 3,
  available_product_features: [],
  is_member_join_email_enabled: true,
  metadata: { instance_tag: 'none' },
  customer_id: null,
  enforce_2fa: null,
  members_can_invite: true,
  members_can_use_personal_api_keys: true,
  allow_publicly_shared_resources: true,
  is_ai_data_processing_approved: null,
  default_experiment_stats_method: 'bayesian',
  default_anonymize_ips: false,
  default_role_id: null,
  is_active: true,
  is_not_active_reason: null,
  is_pending_deletion: false,
} as const;

/** OrganizationBasic, one of the user's `organizations`. */
export const organizationBasic = (store: Store, user: User, org: Organization) => ({
  id: org.id,
  name: org.name,
  slug: slugOf(org.name),
  logo_media_id: ORGANIZATION_DEFAULTS.logo_media_id,
  membership_level: levelIn(store, org, user),
  members_can_use_personal_api_keys: ORGANIZATION_DEFAULTS.members_can_use_personal_api_keys,
  is_active: ORGANIZATION_DEFAULTS.is_active,
  is_not_active_reason: ORGANIZATION_DEFAULTS.is_not_active_reason,
  is_pending_deletion: ORGANIZATION_DEFAULTS.is_pending_deletion,
});

/** Organization: the caller's level, the projects they can see, its member count. */
export function organizationView(store: Store, user: User, org: Organization) {
  const projects = projectsOf(store, org.id);
  return {
    id: org.id,
    name: org.name,
    slug: slugOf(org.name),
    ...ORGANIZATION_DEFAULTS,
    created_at: org.created_at,
    // the mock never changes an organization's own fields
    updated_at: org.created_at,
    membership_level: levelIn(store, org, user),
    teams: projects.map(teamBasic),
    projects: projects.map((p) => ({ id: p.id, organization_id: p.organization, name: p.name })),
    member_count: [...store.state.memberships.values()].filter((m) => m.organization_id === org.id).length,
  };
}

/** A strict key restricted to projects may not use organization endpoints (PostHog's APIScopePermission). */
function refuseProjectScopedKey(ctx: Context): void {
  if (keyRestrictions(ctx).teams) throw permissionDenied(SCOPED_PROJECTS_ONLY);
}

/** the organizations the caller may see: theirs, narrowed by a strict key's organizations */
function visibleOrganizations(ctx: Context): Organization[] {
  const { organizations } = keyRestrictions(ctx);
  return organizationsOf(ctx.store, ctx.user).filter((o) => !organizations || organizations.includes(o.id));
}

/**
 * `@current` is the caller's current organization, which PostHog looks up outside the key's narrowed
 * list: one outside the key's organizations is a 403. Any other id must be an organization the caller
 * sees (404 otherwise, as for an id that does not exist).
 */
function findOrganization(ctx: Context): Organization {
  const id = ctx.params.id!;
  if (id === '@current') {
    const org = currentOrganization(ctx.store, ctx.user);
    if (!org) throw notFound('Current organization not found.');
    const { organizations } = keyRestrictions(ctx);
    if (organizations && !organizations.includes(org.id)) {
      throw permissionDenied(`API key does not have access to the requested organization: ID ${org.id}.`);
    }
    return org;
  }
  const org = isUuid(id) ? visibleOrganizations(ctx).find((o) => o.id === id.toLowerCase()) : undefined;
  if (!org) throw notFound();
  return org;
}

export const organizationOperations: Operation[] = [
  {
    id: 'organizations_list',
    method: 'GET',
    path: ORGANIZATIONS,
    scope: 'organization:read',
    restrictions: 'handler',
    response: 'PaginatedOrganizationList',
    status: 200,
    handler: (ctx) => {
      refuseProjectScopedKey(ctx);
      return ctx.paginate(visibleOrganizations(ctx).map((o) => organizationView(ctx.store, ctx.user, o)));
    },
  },
  {
    id: 'organizations_retrieve',
    method: 'GET',
    path: `${ORGANIZATIONS}/:id`,
    scope: 'organization:read',
    restrictions: 'handler',
    response: 'Organization',
    status: 200,
    handler: (ctx) => {
      refuseProjectScopedKey(ctx);
      return organizationView(ctx.store, ctx.user, findOrganization(ctx));
    },
  },
];
