import type { Context } from '../http/operation';
import type { Store } from '../store/store';
import type { ActivityEntry } from '../store/types';
import { newestFirst, userBasicOrNull } from './views';

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
