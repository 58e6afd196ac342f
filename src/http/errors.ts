/**
 * PostHog's error body: one flat object, only the first error reported.
 * Every error the mock answers goes through ApiError, so no handler builds a body by hand.
 */
export interface ErrorBody {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    readonly detail: string,
    readonly attr: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  get body(): ErrorBody {
    return { type: this.type, code: this.code, detail: this.detail, attr: this.attr };
  }
}

export const validationError = (code: string, detail: string, attr: string | null = null): ApiError =>
  new ApiError(400, 'validation_error', code, detail, attr);

export const requiredError = (attr: string): ApiError =>
  validationError('required', 'This field is required.', attr);

export const notFound = (detail = 'Not found.'): ApiError =>
  new ApiError(404, 'invalid_request', 'not_found', detail);

export const permissionDenied = (
  detail = 'You do not have permission to perform this action.',
  attr: string | null = null,
): ApiError => new ApiError(403, 'authentication_error', 'permission_denied', detail, attr);

export const notAuthenticated = (): ApiError =>
  new ApiError(
    401,
    'authentication_error',
    'not_authenticated',
    'Authentication credentials were not provided.',
  );

export const authenticationFailed = (where: string): ApiError =>
  new ApiError(
    401,
    'authentication_error',
    'authentication_failed',
    `Personal API key found in request ${where} is invalid.`,
  );

export const methodNotAllowed = (method: string, allowed: string[], detail?: string): ApiError =>
  new ApiError(
    405,
    'invalid_request',
    'method_not_allowed',
    detail ?? `Method "${method}" not allowed.`,
    null,
    { Allow: allowed.join(', ') },
  );

/** A body that cannot be read: `JSON parse error - ...` as DRF words it (`Multipart form parse error`...). */
export const parseError = (message: string, prefix = 'JSON parse error'): ApiError =>
  new ApiError(400, 'invalid_request', 'parse_error', `${prefix} - ${message}`);

/**
 * A body over the size limit. Django itself answers a bare 400 (RequestDataTooBig); the mock answers the
 * status HTTP has for it, with PostHog's body.
 */
export const requestTooLarge = (limitBytes: number): ApiError =>
  new ApiError(
    413,
    'invalid_request',
    'request_too_large',
    `Request body exceeded the maximum size of ${limitBytes} bytes.`,
  );

/** More form fields than Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (Django's TooManyFieldsSent, a 400). */
export const tooManyFields = (): ApiError =>
  new ApiError(
    400,
    'invalid_request',
    'too_many_fields',
    'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.',
  );

/** More files than Django's DATA_UPLOAD_MAX_NUMBER_FILES (Django's TooManyFilesSent, a 400). */
export const tooManyFiles = (): ApiError =>
  new ApiError(
    400,
    'invalid_request',
    'too_many_files',
    'The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.',
  );

export const unsupportedMediaType = (mediaType: string): ApiError =>
  new ApiError(
    415,
    'invalid_request',
    'unsupported_media_type',
    `Unsupported media type "${mediaType}" in request.`,
  );

export const serverError = (): ApiError =>
  new ApiError(500, 'server_error', 'error', 'A server error occurred.');
