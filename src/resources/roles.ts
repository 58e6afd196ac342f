import { notFound, validationError } from '../http/errors';
import type { AdminAccess } from '../http/access';
import type { Context, Operation } from '../http/operation';
import { roleNameKey, type Store } from '../store/store';
import type { Role } from '../store/types';
import { now } from '../time';
import { memberView, membershipOf, userBasic, userBasicOrNull } from './views';

const ROLES = '/api/organizations/:organization_id/roles';
const MEMBERSHIPS = `${ROLES}/:role_id/role_memberships`;

interface RoleBody {
  name?: string;
  feature_flags_access_level?: number | null;
}

export function roleMembershipView(store: Store, membershipId: string) {
  const rm = store.state.roleMemberships.get(membershipId)!;
  const role = store.state.roles.get(rm.role_id)!;
  const orgMembership = membershipOf(store, role.organization_id, rm.user_id)!;
  return {
    id: rm.id,
    role_id: rm.role_id,
    organization_member: memberView(store, orgMembership),
    user: userBasic(store.user(rm.user_id)),
    joined_at: rm.joined_at,
    updated_at: rm.updated_at,
  };
}

const membershipsOfRole = (store: Store, roleId: string) =>
  [...store.state.roleMemberships.values()].filter((rm) => rm.role_id === roleId);

export function roleView(store: Store, role: Role) {
  return {
    id: role.id,
    name: role.name,
    created_at: role.created_at,
    created_by: userBasicOrNull(store, role.created_by_id),
    members: membershipsOfRole(store, role.id).map((rm) => roleMembershipView(store, rm.id)),
    associated_flags: [],
    feature_flags_access_level: role.feature_flags_access_level,
    is_default: role.is_default,
  };
}

function findRole(ctx: Context, id: string | undefined): Role {
  const role = id === undefined ? undefined : ctx.store.state.roles.get(id.toLowerCase());
  if (!role || role.organization_id !== ctx.org.id) throw notFound();
  return role;
}

const rolesOf = (ctx: Context) =>
  [...ctx.store.state.roles.values()].filter((r) => r.organization_id === ctx.org.id);

/** Role and role-membership writes are for admins and owners; reads for every member. */
const ADMIN_ONLY: AdminAccess = { level: 'admin', denied: 'You need to have admin level or higher.' };

/** Role names are unique per organization, case-insensitively (a role may keep its own name). */
function assertUniqueName(ctx: Context, name: string | undefined, self?: Role): void {
  if (name === undefined) return;
  const clash = ctx.store.state.roles
    .find('name', roleNameKey(ctx.org.id, name))
    .find((r) => r.id !== self?.id);
  if (clash) throw validationError('unique', 'There is already a role with this name.', 'name');
}

function writeRole(ctx: Context<RoleBody>, role: Role) {
  assertUniqueName(ctx, ctx.body.name, role);
  if (ctx.body.name !== undefined) role.name = ctx.body.name;
  if (ctx.body.feature_flags_access_level !== undefined)
    role.feature_flags_access_level = ctx.body.feature_flags_access_level;
  ctx.store.state.roles.set(role.id, role); // re-files the role under its name
  return roleView(ctx.store, role);
}

export const roleOperations: Operation[] = [
  {
    id: 'roles_list',
    method: 'GET',
    path: ROLES,
    scope: 'organization:read',
    response: 'PaginatedRoleList',
    status: 200,
    // `?name=` filters by the exact name, as PostHog's filterset does
    handler: (ctx) =>
      ctx.paginate(
        rolesOf(ctx).filter((r) => ctx.query.name === undefined || r.name === ctx.query.name),
        (r) => roleView(ctx.store, r),
      ),
  },
  {
    id: 'roles_create',
    method: 'POST',
    path: ROLES,
    scope: 'organization:write',
    request: 'RoleRequest',
    response: 'Role',
    status: 201,
    access: ADMIN_ONLY,
    handler: (ctx: Context<RoleBody>) => {
      assertUniqueName(ctx, ctx.body.name);
      const role: Role = {
        id: ctx.store.uuid(),
        organization_id: ctx.org.id,
        name: ctx.body.name!,
        created_at: now(),
        created_by_id: ctx.user.id,
        is_default: false,
        feature_flags_access_level: ctx.body.feature_flags_access_level ?? null,
      };
      ctx.store.state.roles.set(role.id, role);
      return roleView(ctx.store, role);
    },
  },
  {
    id: 'roles_retrieve',
    method: 'GET',
    path: `${ROLES}/:id`,
    scope: 'organization:read',
    response: 'Role',
    status: 200,
    handler: (ctx) => roleView(ctx.store, findRole(ctx, ctx.params.id)),
  },
  {
    id: 'roles_update',
    method: 'PUT',
    path: `${ROLES}/:id`,
    scope: 'organization:write',
    request: 'RoleRequest',
    response: 'Role',
    status: 200,
    access: ADMIN_ONLY,
    handler: (ctx: Context<RoleBody>) => writeRole(ctx, findRole(ctx, ctx.params.id)),
  },
  {
    id: 'roles_partial_update',
    method: 'PATCH',
    path: `${ROLES}/:id`,
    scope: 'organization:write',
    request: 'PatchedRoleRequest',
    response: 'Role',
    status: 200,
    access: ADMIN_ONLY,
    handler: (ctx: Context<RoleBody>) => writeRole(ctx, findRole(ctx, ctx.params.id)),
  },
  {
    id: 'roles_destroy',
    method: 'DELETE',
    path: `${ROLES}/:id`,
    scope: 'organization:write',
    status: 204,
    access: ADMIN_ONLY,
    handler: (ctx) => {
      const role = findRole(ctx, ctx.params.id);
      for (const rm of membershipsOfRole(ctx.store, role.id)) ctx.store.state.roleMemberships.delete(rm.id);
      ctx.store.state.roles.delete(role.id);
    },
  },
  {
    id: 'roles_role_memberships_list',
    method: 'GET',
    path: MEMBERSHIPS,
    scope: 'organization:read',
    response: 'PaginatedRoleMembershipList',
    status: 200,
    handler: (ctx) => {
      const role = findRole(ctx, ctx.params.role_id);
      return ctx.paginate(membershipsOfRole(ctx.store, role.id), (rm) =>
        roleMembershipView(ctx.store, rm.id),
      );
    },
  },
  {
    id: 'roles_role_memberships_create',
    method: 'POST',
    path: MEMBERSHIPS,
    scope: 'organization:write',
    request: 'RoleMembershipRequest',
    response: 'RoleMembership',
    status: 201,
    access: ADMIN_ONLY,
    handler: (ctx: Context<{ user_uuid: string }>) => {
      const role = findRole(ctx, ctx.params.role_id);
      const uuid = ctx.body.user_uuid.toLowerCase();
      const user = [...ctx.store.state.users.values()].find((u) => u.uuid === uuid);
      if (!user || !membershipOf(ctx.store, ctx.org.id, user.id)) {
        throw validationError('invalid_input', 'User does not exist.');
      }
      if (membershipsOfRole(ctx.store, role.id).some((rm) => rm.user_id === user.id)) {
        throw validationError('invalid_input', 'User is already part of the role.');
      }
      const at = now();
      const id = ctx.store.uuid();
      ctx.store.state.roleMemberships.set(id, {
        id,
        role_id: role.id,
        user_id: user.id,
        joined_at: at,
        updated_at: at,
      });
      return roleMembershipView(ctx.store, id);
    },
  },
  {
    id: 'roles_role_memberships_destroy',
    method: 'DELETE',
    path: `${MEMBERSHIPS}/:id`,
    scope: 'organization:write',
    status: 204,
    access: ADMIN_ONLY,
    handler: (ctx) => {
      const role = findRole(ctx, ctx.params.role_id);
      const rm = ctx.store.state.roleMemberships.get(String(ctx.params.id).toLowerCase());
      if (!rm || rm.role_id !== role.id) throw notFound();
      ctx.store.state.roleMemberships.delete(rm.id);
    },
  },
];
