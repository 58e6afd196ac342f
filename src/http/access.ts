import { memberKey, type Store } from '../store/store';
import { LEVEL, type Membership } from '../store/types';
import { permissionDenied } from './errors';
import type { Context, Operation } from './operation';

/**
 * Who may call an operation beyond being a member of its organization, as a row of the operation table
 * says: `admin` lets admins and owners through and refuses members with the resource's own PostHog 403
 * detail (`denied`). Rules that depend on the body or the target (a level above the caller's, editing
 * others) stay in their handlers.
 */
export interface AdminAccess {
  level: 'admin';
  denied: string;
}

/** A user's membership of an organization, if they are (still) a member. */
export function membershipOf(store: Store, organizationId: string, userId: number): Membership | undefined {
  // found through the memberships' index; the world's own copy, as a caller may change it
  const [m] = store.state.memberships.find('member', memberKey(organizationId, userId));
  return m && store.state.memberships.get(m.id);
}

/**
 * PostHog's permission classes, run once per request before the handler (DRF's has_permission): on every
 * path under an organization or one of its projects, a caller who is not a member of that organization
 * (a user who has left it) gets 403 with DRF's generic detail (PostHog's OrganizationMemberPermissions
 * gives no message of its own); then a row with `access` refuses callers below its level.
 */
export function checkAccess(op: Pick<Operation, 'access'>, ctx: Context): void {
  if (!ctx.org) return;
  const level = membershipOf(ctx.store, ctx.org.id, ctx.user.id)?.level;
  if (level === undefined) throw permissionDenied();
  if (op.access?.level === 'admin' && level < LEVEL.admin) throw permissionDenied(op.access.denied);
}
