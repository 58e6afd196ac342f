import { findKey } from '../http/auth';
import { notFound, permissionDenied } from '../http/errors';
import type { Context, Operation } from '../http/operation';
import { uuidFrom } from '../store/seed';
import type { Store } from '../store/store';
import type { PersonalApiKey, User } from '../store/types';
import { firstJoined } from './views';

/**
 * `/api/personal_api_keys/`: the caller's keys (PostHog's PersonalAPIKeyViewSet). Under a personal API key
 * PostHog allows only retrieve: `@current` (the calling key) needs no scope at all, whatever the key's
 * scopes and restrictions; another of the caller's keys, and the list, are refused to keys. The mock
 * enforces that refusal under strict keys; otherwise it answers as PostHog answers a logged-in session.
 */

const KEYS = '/api/personal_api_keys';
const NO_KEY_ACCESS = 'This action does not support Personal API Key access';

/** PostHog's mask: the first four and the last four characters */
export const maskKey = (value: string): string => `${value.slice(0, 4)}...${value.slice(-4)}`;

/** the earliest time the user joined one of their organizations: the store keeps no key creation time */
function createdAt(store: Store, user: User): string {
  return firstJoined(store, user) ?? store.state.organizations.get(user.current_organization_id)!.created_at;
}

/**
 * PersonalAPIKey as PostHog serializes it: never the value (only on create or roll), an empty scope list as
 * `["*"]`, and no restriction as empty lists.
 */
export const keyView = (store: Store, user: User, key: PersonalApiKey) => ({
  id: key.id,
  label: key.label,
  value: null,
  mask_value: maskKey(key.value),
  created_at: createdAt(store, user),
  last_used_at: key.last_used_at,
  user_id: user.id,
  scopes: key.scopes.length === 0 ? ['*'] : key.scopes,
  scoped_teams: key.scoped_teams ?? [],
  scoped_organizations: key.scoped_organizations ?? [],
  last_rolled_at: null,
});

/**
 * The key a request authenticated with. Outside strict keys a key no user has stands in for the seeded
 * owner with full access: its record says so (its own mask, every scope, no restriction; its id is derived
 * from its value, so the same key always has the same id).
 */
function currentKey(ctx: Context): PersonalApiKey {
  if (ctx.key) return ctx.key;
  const value = findKey(ctx.req)!.key;
  return {
    id: uuidFrom(value),
    label: 'posthog-mock stand-in key',
    value,
    scopes: ['*'],
    last_used_at: null,
  };
}

/**
 * `@current` (or its own id) is the calling key; another key of the caller's is refused to strict keys
 * (403, as PostHog refuses it to every key); an id the caller has no key with is a 404.
 */
function findOwnKey(ctx: Context): PersonalApiKey {
  const id = ctx.params.id!;
  if (id === '@current') return currentKey(ctx);
  const key = ctx.user.personal_api_keys.find((k) => k.id === id);
  if (!key) throw notFound();
  if (ctx.strictKeys && key !== ctx.key) throw permissionDenied(NO_KEY_ACCESS);
  return key;
}

export const personalApiKeyOperations: Operation[] = [
  {
    id: 'personal_api_keys_list',
    method: 'GET',
    path: KEYS,
    // PostHog refuses keys here whatever their scopes: a session-only action
    scope: null,
    sessionOnly: true,
    restrictions: 'none',
    response: 'PersonalAPIKeyList',
    status: 200,
    // newest first: keys are kept in the order they were added
    handler: (ctx) => [...ctx.user.personal_api_keys].reverse().map((k) => keyView(ctx.store, ctx.user, k)),
  },
  {
    id: 'personal_api_keys_retrieve',
    method: 'GET',
    path: `${KEYS}/:id`,
    // no scope: any valid key may read its own record (the viewset has no APIScopePermission)
    scope: [],
    restrictions: 'none',
    response: 'PersonalAPIKey',
    status: 200,
    handler: (ctx) => keyView(ctx.store, ctx.user, findOwnKey(ctx)),
  },
];
