import type { Context } from '../http/operation';
import type { Store } from '../store/store';
import type { ActivityEntry } from '../store/types';
import { newestFirst, userBasicOrNull } from './views';

export type ActivityChange = NonNullable<ActivityEntry['detail']['changes']>[number];

/** The object an activity entry is about. */
export interface ActivitySubject {
  scope: string;
  item_id: string;
  team_id: number;
  name: string | null;
}

/** Records what the acting user did to an object, as an entry of the request's organization. */
export function recordActivity(
  ctx: Context,
  subject: ActivitySubject,
  activity: string,
  changes: ActivityChange[] | null,
  trigger: unknown = null,
): void {
  const { name, ...where } = subject;
  ctx.store.recordActivity({
    ...where,
    organization_id: ctx.org.id,
    activity,
    user_id: ctx.user.id,
    detail: { changes, merge: null, trigger, name, short_id: null, type: null },
  });
}

/** ActivityLog: one recorded change, as PostHog's activity endpoints list it. */
export function activityView(store: Store, entry: ActivityEntry) {
  return {
    id: entry.id,
    user: userBasicOrNull(store, entry.user_id),
    unread: false,
    organization_id: entry.organization_id,
    was_impersonated: entry.was_impersonated,
    is_system: entry.is_system,
    activity: entry.activity,
    item_id: entry.item_id,
    scope: entry.scope,
    detail: entry.detail,
    created_at: entry.created_at,
  };
}

/**
 * The activity page for a scope (e.g. 'Project', 'Person'), optionally of one item, newest first,
 * within the request's organization (and project, for project-level scopes).
 */
export function activityOf(ctx: Context, scope: string, itemId?: string, teamId?: number) {
  const entries = ctx.store.state.activity
    .filter(
      (e) =>
        e.scope === scope &&
        e.organization_id === ctx.org.id &&
        (itemId === undefined || e.item_id === itemId) &&
        (teamId === undefined || e.team_id === teamId),
    )
    .sort(newestFirst('created_at'));
  return ctx.activityPage(entries.map((e) => activityView(ctx.store, e)));
}
