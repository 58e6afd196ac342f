import type { NextFunction, Request, Response } from 'express';
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import bodyParser from 'body-parser';
import busboy from 'busboy';
import {
  ApiError,
  parseError,
  requestTooLarge,
  tooManyFields,
  tooManyFiles,
  unsupportedMediaType,
} from './errors';
import { MAX_JSON_DEPTH, nestingExceeds } from './validation';

export { MAX_JSON_DEPTH } from './validation';

/** How the body arrived: form bodies are all strings and are validated with type coercion. */
export type BodyKind = 'none' | 'json' | 'form';

/**
 * Limits on request bodies. Every body is refused past them with a PostHog error body, before anything
 * reads or stores it. The form limits are Django's defaults (DATA_UPLOAD_MAX_NUMBER_FIELDS,
 * DATA_UPLOAD_MAX_NUMBER_FILES), which PostHog keeps.
 */
/** the largest body of any kind, in bytes (files of a multipart body included): 413 past it */
export const BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** fields of an urlencoded or multipart body: 400 `too_many_fields` past it */
export const MAX_FORM_FIELDS = 1000;
/** files of a multipart body: 400 `too_many_files` past it */
export const MAX_FORM_FILES = 100;
/** bytes of one multipart field name */
export const MAX_FIELD_NAME_BYTES = 1000;
/** header lines of one multipart part */
export const MAX_PART_HEADERS = 100;

// Bytes only: decoding (charset, UTF-8 validity), JSON and form parsing are ours, so each problem gets its answer.
const raw = bodyParser.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: true });

type Middleware = (req: Request, res: Response, next: (err?: unknown) => void) => void;

const run = (mw: Middleware, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => mw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** body-parser's and raw-body's errors as PostHog bodies; anything else is left for the 500 handler */
function transportError(err: unknown, contentType: string): unknown {
  const type = (err as { type?: string } | null)?.type;
  switch (type) {
    case 'entity.too.large':
      return requestTooLarge(BODY_LIMIT_BYTES);
    case 'encoding.unsupported':
    // Stryker disable next-line StringLiteral: the raw parser never checks a charset (decoding is ours), so it never reports this type (the case falls through)
    case 'charset.unsupported':
      return unsupportedMediaType(contentType);
    // Stryker disable next-line StringLiteral: the client has gone when the request is aborted, so no one reads the answer
    case 'request.aborted':
    // Stryker disable next-line StringLiteral: Node's HTTP parser hands over exactly Content-Length bytes (or aborts), so raw-body never sees another size (the case falls through)
    case 'request.size.invalid':
    // Stryker disable next-line StringLiteral,ConditionalExpression: nothing sets an encoding on the request stream before the raw parser reads it (the case above falls through)
    case 'stream.encoding.set':
      return parseError('the request body could not be read');
    default:
      // zlib errors of a body whose Content-Encoding does not match its bytes
      if ((err as { code?: string } | null)?.code?.startsWith('Z_')) {
        return parseError('the request body could not be decompressed');
      }
      return err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** where a byte sequence stops being UTF-8, in Python's words (PostHog decodes with Python's codec) */
export function utf8Error(buf: Uint8Array): string | undefined {
  if (isUtf8(buf)) return undefined;
  const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      return `'utf-8' codec can't decode byte ${hex(b)} in position ${i}: invalid start byte`;
    }
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) {
        const span = k === 1 ? `byte ${hex(b)} in position ${i}` : `bytes in position ${i}-${i + k - 1}`;
        return `'utf-8' codec can't decode ${span}: unexpected end of data`;
      }
      const c = buf[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) {
        const span = k === 1 ? `byte ${hex(b)} in position ${i}` : `bytes in position ${i}-${i + k - 1}`;
        return `'utf-8' codec can't decode ${span}: invalid continuation byte`;
      }
    }
    i += need + 1;
  }
  return undefined;
}

const UTF8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/**
 * Text of `buf` in `charset` (UTF-8 when none is given). A charset the decoder does not know is 415; bytes
 * that are not valid in it are 400, with `prefix` (`JSON parse error`...) before the reason.
 */
function decode(buf: Uint8Array, charset: string | undefined, contentType: string, prefix: string): string {
  if (charset === undefined || UTF8.has(charset)) {
    const problem = utf8Error(buf);
    if (problem) throw parseError(problem, prefix);
    return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw unsupportedMediaType(contentType);
  }
  try {
    return decoder.decode(buf);
  } catch {
    throw parseError(`the body is not valid ${charset}`, prefix);
  }
}

const charsetOf = (req: Request): string | undefined => {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '');
  return match?.[1]?.toLowerCase();
};

// ---------------------------------------------------------------------------------------------------------
// Parsers

/** JSON as DRF's JSONParser reads it: any JSON value (null and lists included), nested at most MAX_JSON_DEPTH. */
function parseJson(buf: Buffer, charset: string | undefined, contentType: string): unknown {
  const text = decode(buf, charset, contentType, 'JSON parse error');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw parseError((err as Error).message);
  }
  if (nestingExceeds(value, MAX_JSON_DEPTH)) {
    throw parseError(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

/** Collected form fields: one string per name, a list for a repeated name (the validator coerces). */
class FormFields {
  private readonly fields = new Map<string, string[]>();

  add(name: string, value: string): void {
    const values = this.fields.get(name);
    if (values) values.push(value);
    else this.fields.set(name, [value]);
  }

  /** a plain object whose keys are exactly the names sent (`__proto__` included, as data) */
  toObject(): Record<string, string | string[]> {
    return Object.fromEntries([...this.fields].map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
  }
}

/**
 * application/x-www-form-urlencoded as Django's QueryDict reads it: `&`-separated `name=value` pairs, `+` is a
 * space, `%XX` a byte; names are plain names (`a[b][0]` is one field called `a[b][0]`, never nested).
 */
function parseUrlencoded(buf: Buffer, charset: string | undefined, contentType: string): unknown {
  const fields = new FormFields();
  if (buf.length === 0) return fields.toObject();
  let pairs = 1;
  for (let i = buf.indexOf(0x26); i !== -1; i = buf.indexOf(0x26, i + 1)) {
    if (++pairs > MAX_FORM_FIELDS) throw tooManyFields();
  }
  // Stryker disable next-line StringLiteral: decoding no bytes can only fail for an unknown charset (415), which carries no prefix
  if (charset !== undefined && !UTF8.has(charset)) decode(Buffer.alloc(0), charset, contentType, '');
  // byte-preserving text, so that %-escapes and raw bytes are decoded together in the body's charset
  const bytes = buf.toString('latin1');
  const text = (part: string): string =>
    decode(
      Buffer.from(
        part
          .replace(/\+/g, ' ')
          .replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ),
      charset,
      contentType,
      'Form parse error',
    );
  for (const pair of bytes.split('&')) {
    // Stryker disable next-line StringLiteral: an empty pair read as a field is named '', which no request schema knows, so it is dropped
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    fields.add(text(eq === -1 ? pair : pair.slice(0, eq)), eq === -1 ? '' : text(pair.slice(eq + 1)));
  }
  return fields.toObject();
}

/** multipart/form-data as Django's MultiPartParser reads it, with its limits; files are read and dropped. */
function parseMultipart(req: Request): Promise<unknown> {
  const prefix = 'Multipart form parse error';
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // latin1 keeps every byte as one character: names and values are then decoded as strict UTF-8 here
        defCharset: 'latin1',
        // Stryker disable next-line StringLiteral: busboy reads an empty defParamCharset as its default, latin1
        defParamCharset: 'latin1',
        limits: {
          fields: MAX_FORM_FIELDS,
          files: MAX_FORM_FILES,
          parts: MAX_FORM_FIELDS + MAX_FORM_FILES,
          fieldNameSize: MAX_FIELD_NAME_BYTES,
          fieldSize: BODY_LIMIT_BYTES,
          fileSize: BODY_LIMIT_BYTES,
          headerPairs: MAX_PART_HEADERS,
        },
      });
    } catch {
      reject(parseError('Invalid boundary in multipart: None', prefix));
      return;
    }
    const fields = new FormFields();
    let settled = false;
    let received = 0;
    const fail = (err: unknown): void => {
      if (settled) return;
      // Stryker disable next-line BooleanLiteral: a promise settles once; a second reject, a later resolve and a second unpipe change nothing
      settled = true;
      req.unpipe(parser);
      // the rest of the body is discarded by Node once the response is sent
      reject(err);
    };
    const utf8 = (latin1: string): string => {
      const buf = Buffer.from(latin1, 'latin1');
      const problem = utf8Error(buf);
      if (problem) throw parseError(problem, prefix);
      return buf.toString('utf8');
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) fail(requestTooLarge(BODY_LIMIT_BYTES));
    });
    parser.on('field', (name, value, info) => {
      // Stryker disable next-line StringLiteral: busboy sets nameTruncated only for urlencoded bodies, never for multipart ones, so this text is never sent
      if (info.nameTruncated) return fail(parseError('a field name is too long', prefix));
      if (info.valueTruncated) return fail(requestTooLarge(BODY_LIMIT_BYTES));
      try {
        fields.add(utf8(name), utf8(value));
      } catch (err) {
        fail(err);
      }
    });
    // Stryker disable next-line StringLiteral: without a 'file' listener busboy drains file streams itself
    parser.on('file', (_name, stream) => {
      // Stryker disable next-line StringLiteral,ArrowFunction: a file past fileSize is past the body limit too, which the byte count answers with the same 413
      stream.on('limit', () => fail(requestTooLarge(BODY_LIMIT_BYTES)));
      stream.resume();
    });
    parser.on('fieldsLimit', () => fail(tooManyFields()));
    // Stryker disable next-line StringLiteral,ArrowFunction: parts = fields + files, so the fields or files limit is always reached first
    parser.on('partsLimit', () => fail(tooManyFields()));
    parser.on('filesLimit', () => fail(tooManyFiles()));
    parser.on('error', (err: Error) => fail(parseError(err.message, prefix)));
    parser.on('close', () => {
      if (settled) return;
      // Stryker disable next-line BooleanLiteral: nothing reads settled after the promise resolves
      settled = true;
      resolve(fields.toObject());
    });
    req.pipe(parser);
  });
}

/**
 * Parses JSON, x-www-form-urlencoded and multipart bodies the way DRF's parsers do, into `req.body`, and
 * records the kind in `res.locals.bodyKind`. A JSON body is any JSON value (a `null` or a list stays what it
 * is, for the request schema to refuse); a form body is an object of strings; no body is `{}`.
 */
export async function parseBody(req: Request, res: Response, next: NextFunction): Promise<void> {
  res.locals.bodyKind = 'none' satisfies BodyKind;
  const contentType = req.headers['content-type'] ?? '';
  try {
    let body: unknown = {};
    if (hasBody(req) && req.method !== 'GET' && req.method !== 'HEAD') {
      const declared = Number(req.headers['content-length']);
      if (declared > BODY_LIMIT_BYTES) throw requestTooLarge(BODY_LIMIT_BYTES);
      if (req.is('multipart/form-data')) {
        body = await parseMultipart(req);
        res.locals.bodyKind = 'form';
      } else if (req.is(['application/json', '+json', 'application/x-www-form-urlencoded'])) {
        await run(raw, req, res).catch((err: unknown) => {
          throw transportError(err, contentType);
        });
        const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (req.is('application/x-www-form-urlencoded')) {
          body = parseUrlencoded(buf, charsetOf(req), contentType);
          res.locals.bodyKind = 'form';
        } else if (buf.length > 0) {
          body = parseJson(buf, charsetOf(req), contentType);
          // Stryker disable next-line StringLiteral: only 'form' (dispatch) and 'none' (journal) are ever compared, so any other text answers the same
          res.locals.bodyKind = 'json';
        }
      } else if (req.method !== 'DELETE') {
        throw unsupportedMediaType(contentType);
      }
    }
    req.body = body;
    next();
  } catch (err) {
    next(err instanceof ApiError ? err : transportError(err, contentType));
  }
}
