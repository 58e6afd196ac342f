import type { Context } from '../http/operation';
import { activityEnvelope, activityWindow } from '../http/pagination';
import type { Store } from '../store/store';
import type { ActivityEntry } from '../store/types';
import { userBasicOrNull } from './views';

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
 *
 * The log is kept in time order (newest last; see Store.recordActivity), so one walk from its end counts
 * the matching entries and copies only the page: no copy or sort of the log per request. Entries of the
 * same time come most recently recorded first.
 */
export function activityOf(ctx: Context, scope: string, itemId?: string, teamId?: number) {
  const log = ctx.store.state.activity;
  const matches = (e: ActivityEntry) =>
    e.scope === scope &&
    e.organization_id === ctx.org.id &&
    (itemId === undefined || e.item_id === itemId) &&
    (teamId === undefined || e.team_id === teamId);
  const window = activityWindow(ctx.req);
  const page: ActivityEntry[] = [];
  let total = 0;
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    if (!matches(e)) continue;
    if (total >= window.start && page.length < window.limit) page.push(e);
    total++;
  }
  const results = page.map((e) => activityView(ctx.store, e));
  return activityEnvelope(ctx.req, window, results, total);
}
