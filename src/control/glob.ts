/**
 * Path globs for journal filters and fault rules: `*` matches within one segment, `**` across segments,
 * `?` one character of a segment. A trailing slash is optional on both sides, as it is for the API.
 *
 * @example globToRegExp('/api/projects/**').test('/api/projects/1/persons/5/') // true
 */
export function globToRegExp(glob: string): RegExp {
  const trimmed = glob.length > 1 ? glob.replace(/\/+$/, '') : glob;
  let pattern = '';
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c === '*' && trimmed[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (c === '*') {
      pattern += '[^/]*';
    } else if (c === '?') {
      pattern += '[^/]';
    } else {
      pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}/?$`);
}

/** What a glob must look like: an absolute path of at most 500 characters. */
export function checkGlob(glob: unknown): string | undefined {
  if (typeof glob !== 'string' || !glob.startsWith('/')) return 'must be a path glob starting with "/"';
  if (glob.length > 500) return 'must be at most 500 characters';
  return undefined;
}
