/**
 * A key as journals and logs show it: its prefix and last four characters (`phx_…a1b2`). Short keys
 * show only the prefix, so nothing guessable is kept.
 */
export function maskKey(key: string): string {
  const prefix = /^[A-Za-z]{2,8}_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  return rest.length >= 12 ? `${prefix}…${rest.slice(-4)}` : `${prefix}…`;
}

/** A query string's values with `personal_api_key` masked (a copy only when there is one to mask). */
export function maskQuery(query: Record<string, unknown>): Record<string, unknown> {
  if (!('personal_api_key' in query)) return query;
  const value = query.personal_api_key;
  const masked = Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? maskKey(v) : v))
    : typeof value === 'string'
      ? maskKey(value)
      : value;
  return { ...query, personal_api_key: masked };
}
