import { membershipOf } from '../http/access';
import { isUuid, type Store } from '../store/store';
import type { Membership, Person, Project, User } from '../store/types';

/** UserBasic, used wherever PostHog names a user (created_by, user). */
export function userBasic(user: User) {
  return {
    id: user.id,
    uuid: user.uuid,
    distinct_id: user.distinct_id,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    is_email_verified: user.is_email_verified,
    hedgehog_config: user.hedgehog_config,
    role_at_organization: user.role_at_organization,
  };
}

export const userBasicOrNull = (store: Store, id: number | null) => {
  const user = id === null ? undefined : store.state.users.get(id);
  return user ? userBasic(user) : null;
};

/** OrganizationMember: a membership with its user. */
export function memberView(store: Store, membership: Membership) {
  const user = store.user(membership.user_id);
  return {
    id: membership.id,
    user: userBasic(user),
    level: membership.level,
    joined_at: membership.joined_at,
    updated_at: membership.updated_at,
    is_2fa_enabled: user.is_2fa_enabled,
    has_social_auth: user.has_social_auth,
    last_login: user.last_login,
  };
}

export { membershipOf };

/** Newest first by a timestamp field, as PostHog's default orderings are. */
export const newestFirst =
  <K extends string>(key: K) =>
  (a: Record<K, string>, b: Record<K, string>): number =>
    a[key] < b[key] ? 1 : a[key] > b[key] ? -1 : 0;

/** The earliest time `user` joined one of their organizations, if they belong to any. */
export const firstJoined = (store: Store, user: User): string | undefined =>
  [...store.state.memberships.values()]
    .filter((m) => m.user_id === user.id)
    .map((m) => m.joined_at)
    .sort()[0];

/** The acting user's level in the organization of the request. */
export function actingLevel(store: Store, organizationId: string, user: User): number {
  return membershipOf(store, organizationId, user.id)?.level ?? 0;
}

/**
 * User keys are plain data keys: `__proto__`, `constructor` and `prototype` are read and written as own
 * properties, never as the object's prototype or Object's members.
 */
export const ownValue = (object: Record<string, unknown>, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;

export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

const NAME_PROPERTIES = ['email', 'Email', '$email', 'name', 'Name', 'username', 'Username', 'UserName'];

/**
 * A person's display name as PostHog derives it: the first non-empty of the display-name properties,
 * else the first distinct id (ids that look like UUIDs last), else the id.
 */
export function personName(person: Person, project: Project): string {
  const keys = project.person_display_name_properties ?? NAME_PROPERTIES;
  for (const key of keys) {
    const value = ownValue(person.properties, key);
    if (value !== undefined && value !== null && String(value).trim() !== '') return String(value);
  }
  const ids = [...person.distinct_ids].sort((a, b) => Number(isUuid(a)) - Number(isUuid(b)));
  return ids[0] ?? String(person.id);
}

/** Person, as the docs show it. */
export function personView(store: Store, person: Person) {
  const project = store.state.projects.get(person.team_id)!;
  return {
    id: person.id,
    name: personName(person, project),
    distinct_ids: person.distinct_ids,
    properties: person.properties,
    created_at: person.created_at,
    uuid: person.uuid,
  };
}
