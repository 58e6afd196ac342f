import type { NextFunction, Request, Response } from 'express';

/**
 * Headers on every response: the safe defaults Django's SecurityMiddleware and XFrameOptionsMiddleware
 * give PostHog's responses, and CORS only when the mock is told which origins may call it.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** how long a browser may cache a preflight answer, in seconds */
export const CORS_MAX_AGE_SECONDS = 600;
const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';

export interface HeaderOptions {
  /** origins allowed to call the mock from a browser (`*` for any); CORS is off without it */
  cors?: string | string[];
}

export function responseHeaders(options: HeaderOptions = {}) {
  const origins = options.cors === undefined ? [] : [options.cors].flat();
  const anyOrigin = origins.includes('*');
  return (req: Request, res: Response, next: NextFunction): void => {
    res.set(SECURITY_HEADERS);
    const origin = req.headers.origin;
    if (origins.length === 0 || origin === undefined) return next();
    res.vary('Origin');
    if (!anyOrigin && !origins.includes(origin)) return next();
    res.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) return next();
    res.vary('Access-Control-Request-Headers');
    res.set({
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers':
        req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type',
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
    });
    res.status(204).end();
  };
}

// A host as a URL may carry it: a DNS name or IPv4 address, or an [IPv6] address, with an optional port.
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The scheme and host the request's absolute links (`next`, `previous`) start with. The Host header is used
 * only when it is a syntactically valid host[:port]; otherwise the address the request came in on.
 * `X-Forwarded-Host` / `X-Forwarded-Proto` count only when the app trusts a proxy (Express's `trust proxy`,
 * set by AppOptions.trustProxy), since `req.host` and `req.protocol` read them only then.
 */
export function origin(req: Request): string {
  const scheme = req.protocol === 'https' ? 'https' : 'http';
  const host = req.host;
  if (typeof host === 'string' && host.length <= 261 && HOST.test(host)) return `${scheme}://${host}`;
  const { localAddress, localPort } = req.socket;
  const address = localAddress?.includes(':') ? `[${localAddress}]` : (localAddress ?? 'localhost');
  return `${scheme}://${address}${localPort ? `:${localPort}` : ''}`;
}
