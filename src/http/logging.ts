import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import pretty from 'pino-pretty';
import { maskKey } from '../control/mask';
import { findKey } from './auth';
import type { Match } from './router';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export interface LoggingOptions {
  /** default 'silent': nothing is logged, and no logger is even built */
  logLevel?: LogLevel;
  /** your own pino logger (its level applies); takes precedence over logLevel */
  logger?: Logger;
}

const HEALTH_PATHS = new Set(['/_health', '/__mock/health']);

/** Bodies are logged at debug level only, and only this much of them. */
export const LOGGED_BODY_LIMIT = 2048;

/** `personal_api_key=...` in a URL, masked like every other key. */
export function maskUrl(url: string): string {
  return url.replace(/([?&]personal_api_key=)([^&#]*)/g, (_m, name: string, value: string) => {
    let key = value;
    try {
      key = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // logged as sent, still masked
    }
    return `${name}${encodeURIComponent(maskKey(key)).replace(/%E2%80%A6/g, '…')}`;
  });
}

function loggedBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  let value = body;
  if (typeof body === 'object' && !Array.isArray(body) && 'personal_api_key' in body) {
    const b = body as Record<string, unknown>;
    value = {
      ...b,
      personal_api_key: typeof b.personal_api_key === 'string' ? maskKey(b.personal_api_key) : '…',
    };
  }
  // Stryker disable next-line StringLiteral: JSON.stringify answers undefined only for undefined, a function or a symbol, and a parsed body is none of them (undefined returned above), so the fallback is never used
  const text = JSON.stringify(value) ?? '';
  return text.length > LOGGED_BODY_LIMIT ? { truncated: true, length: text.length } : value;
}

/**
 * The default logger for a level: JSON lines on stdout, or pino-pretty's coloured lines when stdout is
 * a terminal (in-process, no worker thread).
 */
export function defaultLogger(level: Exclude<LogLevel, 'silent'>): Logger {
  const stream = process.stdout.isTTY
    ? pretty({ colorize: true, sync: true, singleLine: true })
    : pino.destination({ fd: 1, sync: false });
  return pino({ level, base: { name: 'posthog-mock' } }, stream);
}

/**
 * One log line per request, when it completes: method, URL (key masked), status, time, the masked key
 * and the operation id. Headers are never logged; bodies only at debug level, masked and capped.
 * Returns undefined when logging is off, so a silent app pays nothing.
 */
export function requestLogging(options: LoggingOptions): RequestHandler | undefined {
  const level = options.logLevel ?? 'silent';
  if (!LOG_LEVELS.includes(level)) {
    throw new TypeError(`logLevel must be one of ${LOG_LEVELS.join(', ')}; got ${String(level)}`);
  }
  if (!options.logger && level === 'silent') return undefined;
  const logger = options.logger ?? defaultLogger(level as Exclude<LogLevel, 'silent'>);
  const debug = logger.isLevelEnabled('debug');
  const middleware = pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    // Stryker disable next-line BooleanLiteral: pino's wrapped request also carries method and url (its url is originalUrl), so the serializer writes the same line either way
    wrapSerializers: false,
    quietReqLogger: true,
    serializers: {
      req: (raw: IncomingMessage) => {
        const req = raw as Request;
        return { method: req.method, url: maskUrl(req.originalUrl ?? req.url) };
      },
      res: (raw: ServerResponse) => ({ statusCode: raw.statusCode }),
    },
    customProps: (raw, rawRes) => {
      // called when the request starts and again when it ends: only the end knows the operation
      if (!rawRes.writableFinished) return {};
      const req = raw as Request;
      const res = rawRes as Response;
      const key = (res.locals?.journalKey as string | undefined) ?? findKey(req)?.key;
      const match = res.locals?.match as Match | undefined;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      return {
        key: key === undefined ? null : maskKey(key),
        operation_id: match?.route.operations[method as 'GET']?.id ?? null,
      };
    },
    // the body is parsed only after the request line is bound, so it joins the completion record
    customSuccessObject: (req, _res, value: Record<string, unknown>) =>
      debug ? { ...value, body: loggedBody((req as Request).body) } : value,
    // health checks (a container's every few seconds) are logged at debug only
    customLogLevel: (req, res, err) =>
      err || res.statusCode >= 500
        ? 'error'
        : // Stryker disable next-line StringLiteral: Node's HTTP parser always sets req.url, so the '' fallback is never used
          HEALTH_PATHS.has((req as Request).originalUrl ?? req.url ?? '')
          ? 'debug'
          : 'info',
    customSuccessMessage: (req, res, ms) =>
      `${req.method} ${maskUrl((req as Request).originalUrl ?? req.url ?? '')} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) =>
      `${req.method} ${maskUrl((req as Request).originalUrl ?? req.url ?? '')} ${res.statusCode} failed`,
  });
  return middleware as unknown as RequestHandler;
}
