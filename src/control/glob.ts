/**
 * Path globs for journal filters and fault rules: `*` matches within one segment, `**` across segments,
 * `?` one character of a segment. A trailing slash is optional on both sides, as it is for the API.
 *
 * Matching is a dynamic programme over glob × path (no regular expression), so a glob full of
 * wildcards costs at most length × length steps and can never backtrack for ever.
 *
 * @example compileGlob('/api/projects/**').test('/api/projects/1/persons/5/') // true
 */
export interface Glob {
  test(path: string): boolean;
}

type Token = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'star' } | { kind: 'globstar' };

const trim = (s: string): string => (s.length > 1 ? s.replace(/\/+$/, '') : s);

export function compileGlob(glob: string): Glob {
  const source = trim(glob);
  const tokens: Token[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '*' && source[i + 1] === '*') {
      while (source[i + 1] === '*') i++;
      tokens.push({ kind: 'globstar' });
    } else if (c === '*') {
      tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
    } else {
      tokens.push({ kind: 'char', char: c });
    }
  }
  // the literal text before the first wildcard: most paths are rejected on it alone
  let prefix = '';
  for (const token of tokens) {
    if (token.kind !== 'char') break;
    prefix += token.char;
  }
  let can = new Uint8Array(64);
  let next = new Uint8Array(64);
  const run = (text: string): boolean => {
    const n = text.length;
    if (can.length <= n) {
      can = new Uint8Array(n + 1);
      next = new Uint8Array(n + 1);
    }
    // can[j]: the tokens so far match text[0, j)
    can.fill(0, 0, n + 1);
    can[0] = 1;
    for (const token of tokens) {
      next.fill(0, 0, n + 1);
      if (token.kind === 'star' || token.kind === 'globstar') {
        // a run of any length: of non-slash characters for *, of anything for **
        for (let j = 0; j <= n; j++) {
          if (can[j]) next[j] = 1;
          else if (j > 0 && next[j - 1] && (token.kind === 'globstar' || text[j - 1] !== '/')) next[j] = 1;
        }
      } else {
        for (let j = 1; j <= n; j++) {
          if (!can[j - 1]) continue;
          const c = text[j - 1]!;
          if (token.kind === 'one' ? c !== '/' : c === token.char) next[j] = 1;
        }
      }
      [can, next] = [next, can];
    }
    return can[n] === 1;
  };
  // as the API routes do: the path matches with or without its trailing slash
  return {
    test: (path) =>
      path.startsWith(prefix) &&
      (run(path) || (path.length > 1 && path.endsWith('/') && run(path.slice(0, -1)))),
  };
}

/** What a glob must look like: an absolute path of at most 500 characters. */
export function checkGlob(glob: unknown): string | undefined {
  if (typeof glob !== 'string' || !glob.startsWith('/')) return 'must be a path glob starting with "/"';
  if (glob.length > 500) return 'must be at most 500 characters';
  return undefined;
}
