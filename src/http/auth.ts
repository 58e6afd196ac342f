import type { Request } from 'express';
import type { Store } from '../store/store';
import type { PersonalApiKey, User } from '../store/types';
import { authenticationFailed, notAuthenticated } from './errors';

export interface AuthOptions {
  /** reject keys that belong to no user (401), instead of acting as the seeded owner */
  strictKeys: boolean;
}

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;

/** The token of an `Authorization: Bearer <token>` header (extra spaces tolerated), if there is one. */
export const bearerToken = (req: Request): string | undefined =>
  req.headers.authorization?.match(BEARER)?.[1];

/** Where PostHog looks for a personal API key, first match wins. */
export function findKey(req: Request): { key: string; where: string } | undefined {
  const header = bearerToken(req);
  if (header) return { key: header, where: 'Authorization header' };
  const body = req.body as Record<string, unknown> | undefined;
  if (body && !Array.isArray(body) && typeof body.personal_api_key === 'string' && body.personal_api_key) {
    return { key: body.personal_api_key, where: 'body' };
  }
  const query = req.query.personal_api_key;
  if (typeof query === 'string' && query) return { key: query, where: 'query string' };
  return undefined;
}

/** Who a request acts as, and with which key: none when a key no user has stands in for the owner. */
export interface Caller {
  user: User;
  key?: PersonalApiKey;
}

/** The user a request acts as: the key's owner; by default any other key acts as the seeded owner. */
export function authenticate(req: Request, store: Store, options: AuthOptions): Caller {
  const found = findKey(req);
  if (!found) throw notAuthenticated();
  const owned = store.keyByValue(found.key);
  if (owned) return owned;
  if (options.strictKeys) throw authenticationFailed(found.where);
  return { user: store.user(1) };
}
