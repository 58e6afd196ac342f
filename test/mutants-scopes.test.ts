import { ApiError } from '../src/http/errors';
import { checkKeyScopes, grants, requiredScopes } from '../src/http/scopes';
import type { Organization, PersonalApiKey, Project } from '../src/store/types';
import { error } from './support/api';

/**
 * src/http/scopes.ts, behaviour by behaviour (issue 11: each mutant Stryker left alive now fails here).
 * The HTTP matrix over every operation is test/scopes.test.ts; here each rule is checked on its own,
 * including the combinations the seeded keys do not have.
 */

const ORG_A = '01234567-89ab-4def-8123-456789abcdef';
const ORG_B = '11111111-89ab-4def-8123-456789abcdef';
const project = (id: number) => ({ id }) as Project;
const org = (id: string) => ({ id }) as Organization;
const key = (fields: Partial<PersonalApiKey>): PersonalApiKey => ({
  id: 'k',
  label: 'test',
  value: 'phx_test',
  scopes: [],
  last_used_at: null,
  ...fields,
});

/** the error body the check throws, or 'allowed' */
const check = (
  k: PersonalApiKey,
  scope: string | string[] | null,
  target: { project?: Project; org?: Organization },
) => {
  try {
    checkKeyScopes(k, { scope } as never, target);
    return 'allowed';
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).body;
  }
};
const denied = (detail = 'You do not have permission to perform this action.') =>
  error('authentication_error', 'permission_denied', detail);
const missing = (scope: string) => denied(`API key missing required scope '${scope}'`);

describe('requiredScopes', () => {
  test('null stays null; one scope or several become a list', () => {
    expect(requiredScopes({ scope: null })).toBeNull();
    expect(requiredScopes({ scope: 'person:read' })).toEqual(['person:read']);
    expect(requiredScopes({ scope: ['person:read', 'cohort:read'] })).toEqual(['person:read', 'cohort:read']);
  });
});

describe('grants', () => {
  test('*, the scope itself, or the write scope of the same object for a read', () => {
    expect(grants(['*'], 'person:read')).toBe(true);
    expect(grants(['cohort:read', 'person:read'], 'person:read')).toBe(true);
    expect(grants(['person:write'], 'person:read')).toBe(true);
    expect(grants(['person:write'], 'person:write')).toBe(true);
    expect(grants(['person:read'], 'person:write')).toBe(false);
    expect(grants(['persons:write'], 'person:read')).toBe(false);
    expect(grants([], 'person:read')).toBe(false);
    expect(grants(['person:write'], 'person')).toBe(false);
  });
});

describe('checkKeyScopes', () => {
  test('a key restricted to projects acts only on those, never on organization-level operations', () => {
    const k = key({ scoped_teams: [1, 3] });
    expect(check(k, 'person:read', { project: project(3), org: org(ORG_A) })).toBe('allowed');
    expect(check(k, 'person:read', { project: project(2), org: org(ORG_A) })).toEqual(denied());
    expect(check(k, 'organization:read', { org: org(ORG_A) })).toEqual(denied());
    expect(check(key({ scoped_teams: [] }), 'person:read', { project: project(1) })).toEqual(denied());
  });

  test('a key restricted to organizations acts only in those, on their projects too', () => {
    const k = key({ scoped_organizations: [ORG_B, ORG_A] });
    expect(check(k, 'organization:read', { org: org(ORG_A) })).toBe('allowed');
    expect(check(k, 'person:read', { project: project(1), org: org(ORG_A) })).toBe('allowed');
    expect(check(key({ scoped_organizations: [ORG_B] }), 'organization:read', { org: org(ORG_A) })).toEqual(
      denied(),
    );
    expect(check(k, 'user:read', {})).toEqual(denied());
  });

  test('both restrictions must hold', () => {
    const k = key({ scoped_teams: [1], scoped_organizations: [ORG_B] });
    expect(check(k, 'person:read', { project: project(1), org: org(ORG_A) })).toEqual(denied());
    expect(check(k, 'person:read', { project: project(1), org: org(ORG_B) })).toBe('allowed');
  });

  test('a restricted key still needs its scopes', () => {
    const k = key({ scoped_teams: [1], scopes: ['cohort:read'] });
    expect(check(k, 'person:read', { project: project(1), org: org(ORG_A) })).toEqual(missing('person:read'));
  });

  test('a legacy key (no scopes) and a * key may call anything, custom actions included', () => {
    for (const k of [key({ scopes: [] }), key({ scopes: ['*'] }), key({ scopes: ['person:read', '*'] })]) {
      expect(check(k, null, {})).toBe('allowed');
      expect(check(k, 'plugin:write', {})).toBe('allowed');
    }
  });

  test('a custom action without a scope refuses every other scoped key', () => {
    expect(check(key({ scopes: ['plugin:write'] }), null, {})).toEqual(
      denied('This action does not support Personal API Key access'),
    );
  });

  test('each required scope is needed, the first missing one named', () => {
    const both = ['person:read', 'cohort:read'];
    expect(check(key({ scopes: ['person:read', 'cohort:read'] }), both, {})).toBe('allowed');
    expect(check(key({ scopes: ['cohort:write', 'person:write'] }), both, {})).toBe('allowed');
    expect(check(key({ scopes: ['cohort:read'] }), both, {})).toEqual(missing('person:read'));
    expect(check(key({ scopes: ['person:read'] }), both, {})).toEqual(missing('cohort:read'));
  });
});
