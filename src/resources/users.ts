import { permissionDenied, validationError } from '../http/errors';
import type { Context, Operation } from '../http/operation';
import type { Store } from '../store/store';
import type { Project, User } from '../store/types';
import { inviteView } from './invites';
import {
  currentOrganization,
  currentProject,
  organizationBasic,
  organizationsOf,
  organizationView,
  projectsOf,
  teamBasic,
} from './organizations';
import { firstJoined, ownValue, setOwn } from './views';

/**
 * `/api/users/@me/`: who the caller is, their current organization and project, every organization they
 * belong to (PostHog's UserViewSet). PATCH changes the caller's own settings and, with
 * `set_current_organization` / `set_current_team`, which organization and project are current (which is
 * what `@current` means in every other path).
 */

const USERS = '/api/users';

/** The settings PATCH may write that the store keeps per user, with PostHog's defaults for a new user. */
const PREFERENCE_DEFAULTS: Record<string, unknown> = {
  anonymize_data: false,
  allow_impersonation: true,
  toolbar_mode: 'toolbar',
  events_column_config: { active: 'DEFAULT' },
  has_seen_product_intro_for: null,
  theme_mode: null,
  allow_sidebar_suggestions: null,
  shortcut_position: null,
  passkeys_enabled_for_2fa: null,
};
/** PostHog's notification defaults; PATCH changes only the keys it sends */
const NOTIFICATION_DEFAULTS: Record<string, unknown> = {
  plugin_disabled: true,
  project_weekly_digest_disabled: {},
  all_weekly_digest_disabled: false,
  error_tracking_issue_assigned: true,
  discussions_mentioned: true,
};
/** the User fields kept on the store's user itself */
const USER_FIELDS = ['first_name', 'last_name', 'role_at_organization', 'hedgehog_config'] as const;
/** how many pending invites PostHog lists */
const PENDING_INVITES = 25;

const preference = (user: User, field: string): unknown =>
  user.preferences && Object.prototype.hasOwnProperty.call(user.preferences, field)
    ? ownValue(user.preferences, field)
    : PREFERENCE_DEFAULTS[field];

/** the earliest time the user joined one of their organizations (the store keeps no sign-up time) */
function dateJoined(store: Store, user: User): string {
  return (
    firstJoined(store, user) ??
    user.last_login ??
    store.state.organizations.get(user.current_organization_id)!.created_at
  );
}

/** whether the user was the first to join their current organization (null without one) */
function isFirstUser(store: Store, user: User, organizationId: string | undefined): boolean | null {
  if (organizationId === undefined) return null;
  const first = [...store.state.memberships.values()]
    .filter((m) => m.organization_id === organizationId)
    .sort((a, b) => (a.joined_at < b.joined_at ? -1 : a.joined_at > b.joined_at ? 1 : 0))[0];
  return first?.user_id === user.id;
}

/** invitations to the user's email that are still valid, newest first */
function pendingInvites(store: Store, user: User) {
  const email = user.email.toLowerCase();
  return [...store.state.invites.values()]
    .filter((i) => i.target_email.toLowerCase() === email && !inviteView(store, i).is_expired)
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0))
    .slice(0, PENDING_INVITES)
    .map((i) => ({
      id: i.id,
      target_email: i.target_email,
      organization_id: i.organization_id,
      organization_name: store.state.organizations.get(i.organization_id)?.name ?? '',
      created_at: i.created_at,
    }));
}

/** The User object of /api/users/@me/. */
export function userView(store: Store, user: User) {
  const org = currentOrganization(store, user);
  const team = currentProject(store, user);
  return {
    date_joined: dateJoined(store, user),
    uuid: user.uuid,
    distinct_id: user.distinct_id,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    pending_email: null,
    is_email_verified: user.is_email_verified,
    notification_settings: {
      ...NOTIFICATION_DEFAULTS,
      ...(preference(user, 'notification_settings') as Record<string, unknown> | undefined),
    },
    notification_locks: [],
    anonymize_data: preference(user, 'anonymize_data'),
    allow_impersonation: preference(user, 'allow_impersonation'),
    toolbar_mode: preference(user, 'toolbar_mode'),
    has_password: true,
    id: user.id,
    is_staff: false,
    is_impersonated: false,
    is_impersonated_until: null,
    is_impersonated_read_only: null,
    sensitive_session_expires_at: null,
    team: team ? teamBasic(team) : null,
    organization: org ? organizationView(store, user, org) : null,
    organizations: organizationsOf(store, user).map((o) => organizationBasic(store, user, o)),
    events_column_config: preference(user, 'events_column_config'),
    is_2fa_enabled: user.is_2fa_enabled,
    has_social_auth: user.has_social_auth,
    has_sso_enforcement: false,
    has_seen_product_intro_for: preference(user, 'has_seen_product_intro_for'),
    scene_personalisation: [],
    theme_mode: preference(user, 'theme_mode'),
    hedgehog_config: user.hedgehog_config,
    allow_sidebar_suggestions: preference(user, 'allow_sidebar_suggestions'),
    // PostHog answers a null position as "above"
    shortcut_position: preference(user, 'shortcut_position') ?? 'above',
    role_at_organization: user.role_at_organization,
    passkeys_enabled_for_2fa: preference(user, 'passkeys_enabled_for_2fa'),
    is_organization_first_user: isFirstUser(store, user, org?.id),
    pending_invites: pendingInvites(store, user),
  };
}

/** `@me` is the caller; PostHog refuses any other user to a non-staff caller (the mock has no staff). */
function findUser(ctx: Context): User {
  if (ctx.params.uuid !== '@me') {
    throw permissionDenied("As a non-staff user you're only allowed to access the `@me` user instance.");
  }
  return ctx.user;
}

type UserPatch = Record<string, unknown> & {
  set_current_organization?: string;
  set_current_team?: number;
  is_staff?: boolean;
  notification_settings?: Record<string, unknown>;
};

const doesNotExist = (value: unknown, attr: string) =>
  validationError('does_not_exist', `Object with id=${String(value)} does not exist.`, attr);

/**
 * PATCH /api/users/@me/, checked in PostHog's order before anything is written: `is_staff` (only staff may
 * set it), the organization and project to make current (the caller must belong to them, and the project
 * must be in that organization when both are sent), then email and password, which keys may not change.
 */
function updateMe(ctx: Context<UserPatch>) {
  const user = findUser(ctx);
  const body = ctx.body;
  const { store } = ctx;
  if (body.is_staff === true)
    throw permissionDenied('You are not a staff user, contact your instance admin.');
  let org: string | undefined;
  if (body.set_current_organization !== undefined) {
    const wanted = body.set_current_organization.toLowerCase();
    org = organizationsOf(store, user).find((o) => o.id === wanted)?.id;
    if (!org) throw doesNotExist(body.set_current_organization, 'set_current_organization');
  }
  let team: Project | undefined;
  if (body.set_current_team !== undefined) {
    const mine = new Set(organizationsOf(store, user).map((o) => o.id));
    team = store.state.projects.get(body.set_current_team);
    if (!team || !mine.has(team.organization)) throw doesNotExist(body.set_current_team, 'set_current_team');
    if (org !== undefined && team.organization !== org) {
      throw validationError(
        'invalid_input',
        'Team must belong to the same organization in set_current_organization.',
        'set_current_team',
      );
    }
  }
  if (body.email !== undefined || body.password !== undefined) {
    throw permissionDenied(
      'You can only change your email or password from the PostHog app, not with an API key or token.',
    );
  }
  if (team) {
    user.current_organization_id = team.organization;
    user.current_team_id = team.id;
  } else if (org !== undefined) {
    user.current_organization_id = org;
    const first = projectsOf(store, org)[0];
    if (first) user.current_team_id = first.id;
    else delete user.current_team_id;
  }
  for (const field of USER_FIELDS) {
    if (body[field] !== undefined) (user as unknown as Record<string, unknown>)[field] = body[field];
  }
  const preferences = (): Record<string, unknown> => (user.preferences ??= {});
  for (const field of Object.keys(PREFERENCE_DEFAULTS)) {
    if (body[field] !== undefined) setOwn(preferences(), field, body[field]);
  }
  if (body.notification_settings !== undefined) {
    const merged = { ...(ownValue(preferences(), 'notification_settings') as Record<string, unknown>) };
    for (const [key, value] of Object.entries(body.notification_settings)) setOwn(merged, key, value);
    setOwn(preferences(), 'notification_settings', merged);
  }
  return userView(store, user);
}

export const userOperations: Operation[] = [
  {
    id: 'users_retrieve',
    method: 'GET',
    path: `${USERS}/:uuid`,
    scope: 'user:read',
    restrictions: 'none',
    response: 'User',
    status: 200,
    handler: (ctx) => userView(ctx.store, findUser(ctx)),
  },
  {
    id: 'users_partial_update',
    method: 'PATCH',
    path: `${USERS}/:uuid`,
    scope: 'user:write',
    restrictions: 'none',
    request: 'PatchedUserRequest',
    response: 'User',
    status: 200,
    handler: updateMe,
  },
];
