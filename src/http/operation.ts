import type { Request } from 'express';
import type { Store } from '../store/store';
import type { Organization, PersonalApiKey, Project, User } from '../store/types';
import type { AdminAccess } from './access';
import type { ActivityPage, Page } from './pagination';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export type Query = Record<string, string | undefined>;

/** What a handler gets: resolved path objects, validated body, and the shared response helpers. */
export interface Context<Body = unknown> {
  store: Store;
  req: Request;
  user: User;
  /** the calling key's record; absent when a key no user has stands in for the seeded owner */
  key?: PersonalApiKey;
  /** whether the server checks keys' scopes and restrictions (`strictKeys`) */
  strictKeys: boolean;
  /** set for every path: the organization in the path, or the project's organization */
  org: Organization;
  /** set for /api/projects/{project_id}/... paths */
  project: Project;
  params: Record<string, string>;
  /** each query parameter's value (the last one when repeated, as Django reads it) */
  query: Query;
  body: Body;
  /** one page of `items`; `view` shapes the page's items only */
  paginate<T, R = T>(items: T[], view?: (item: T) => R): Page<R>;
  activityPage<T>(items: T[]): ActivityPage<T>;
  /** validate a value against a named request schema, for bodies a handler checks piece by piece */
  validate<T = Record<string, unknown>>(schema: string, value: unknown, attrPrefix?: string): T;
}

/** A non-JSON response, such as a frontend app's JavaScript source. */
export class RawResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

export interface Operation {
  /** PostHog's operationId where it has one */
  id: string;
  method: Method;
  /** express-style template: /api/organizations/:organization_id/roles/:id */
  path: string;
  /**
   * the personal API key scope PostHog requires (a list when it needs several, each of them), or null for
   * custom actions that refuse scoped personal API keys
   */
  scope: string | readonly string[] | null;
  /**
   * How strict keys' project and organization restrictions (`scoped_teams`, `scoped_organizations`)
   * apply: `path` (default) to the project or organization in the path, 403 outside them; `handler` the
   * handler narrows what it finds by them, as PostHog's querysets do (root /api/projects and
   * /api/organizations); `none` not at all (PostHog's users and personal_api_keys views skip them).
   */
  restrictions?: 'path' | 'handler' | 'none';
  /**
   * PostHog refuses a personal API key here whatever its scopes (a session-only action): strict keys get
   * 403 `This action does not support Personal API Key access`, legacy keys included.
   */
  sessionOnly?: true;
  /** schema file (without .json) the body is validated against */
  request?: string;
  /** schema file (without .json) of the success body; absent for 204 */
  response?: string;
  status: 200 | 201 | 204;
  /**
   * who may call it, besides members of the organization (everyone else gets 403): absent for any member;
   * `{level: 'admin', denied}` for admins and owners only, members refused with PostHog's `denied` detail
   * (src/http/access.ts enforces it, before the handler)
   */
  access?: AdminAccess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler(ctx: Context<any>): unknown;
}
