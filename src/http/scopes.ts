import type { Organization, PersonalApiKey, Project } from '../store/types';
import { permissionDenied } from './errors';
import type { Operation } from './operation';

const NO_KEY_ACCESS = 'This action does not support Personal API Key access';

/** The scopes an operation needs (all of them), or null for a custom action without a declared scope. */
export const requiredScopes = (op: Pick<Operation, 'scope'>): readonly string[] | null =>
  op.scope === null ? null : [op.scope].flat();

/** `X:write` implies `X:read`; `*` grants everything. */
export function grants(scopes: readonly string[], scope: string): boolean {
  if (scopes.includes('*') || scopes.includes(scope)) return true;
  const [object, action] = scope.split(':');
  return action === 'read' && scopes.includes(`${object}:write`);
}

/**
 * The strict-mode key check, run once per request from the table (PostHog's APIScopePermission): a
 * session-only action refuses every key; a key restricted to projects or organizations may act only on
 * those (403 otherwise, PostHog's generic detail) where the row says the path carries them (see
 * `Operation.restrictions`); a key with `*` may call everything else; a custom action without a scope refuses every other
 * scoped key; any other operation needs each of its scopes. A key without scopes (legacy) may call
 * everything.
 */
export function checkKeyScopes(
  key: PersonalApiKey,
  op: Pick<Operation, 'scope' | 'restrictions' | 'sessionOnly'>,
  target: { project?: Project; org?: Organization },
): void {
  if (op.sessionOnly) throw permissionDenied(NO_KEY_ACCESS);
  if ((op.restrictions ?? 'path') === 'path') {
    if (key.scoped_teams && (!target.project || !key.scoped_teams.includes(target.project.id))) {
      throw permissionDenied();
    }
    if (key.scoped_organizations && (!target.org || !key.scoped_organizations.includes(target.org.id))) {
      throw permissionDenied();
    }
  }
  if (key.scopes.length === 0 || key.scopes.includes('*')) return;
  const required = requiredScopes(op);
  if (required === null) throw permissionDenied(NO_KEY_ACCESS);
  for (const scope of required) {
    if (!grants(key.scopes, scope)) throw permissionDenied(`API key missing required scope '${scope}'`);
  }
}

/** PostHog's answer when a key restricted to projects calls an endpoint that is not about one project. */
export const SCOPED_PROJECTS_ONLY =
  'API keys with scoped projects are only supported on project-based endpoints.';

/**
 * The key's project and organization restrictions a handler applies itself (`restrictions: 'handler'`
 * rows): only under strict keys, and only for a key the store knows; otherwise nothing is restricted.
 */
export function keyRestrictions(caller: { key?: PersonalApiKey; strictKeys: boolean }): {
  teams?: readonly number[];
  organizations?: readonly string[];
} {
  if (!caller.strictKeys || !caller.key) return {};
  // an empty list means every project (organization), as in PostHog
  const { scoped_teams: teams, scoped_organizations: organizations } = caller.key;
  return {
    ...(teams?.length ? { teams } : {}),
    ...(organizations?.length ? { organizations } : {}),
  };
}
