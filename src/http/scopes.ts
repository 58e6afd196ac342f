import type { Organization, PersonalApiKey, Project } from '../store/types';
import { permissionDenied } from './errors';
import type { Operation } from './operation';

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
 * The strict-mode key check, run once per request from the table (PostHog's APIScopePermission): a key
 * restricted to projects or organizations may act only on those (403 otherwise, PostHog's generic
 * detail); a key with `*` may call everything else; a custom action without a scope refuses every other
 * scoped key; any other operation needs each of its scopes. A key without scopes (legacy) may call
 * everything.
 */
export function checkKeyScopes(
  key: PersonalApiKey,
  op: Pick<Operation, 'scope'>,
  target: { project?: Project; org?: Organization },
): void {
  if (key.scoped_teams && (!target.project || !key.scoped_teams.includes(target.project.id))) {
    throw permissionDenied();
  }
  if (key.scoped_organizations && (!target.org || !key.scoped_organizations.includes(target.org.id))) {
    throw permissionDenied();
  }
  if (key.scopes.length === 0 || key.scopes.includes('*')) return;
  const required = requiredScopes(op);
  if (required === null) throw permissionDenied('This action does not support Personal API Key access');
  for (const scope of required) {
    if (!grants(key.scopes, scope)) throw permissionDenied(`API key missing required scope '${scope}'`);
  }
}
