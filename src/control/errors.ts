import { ApiError } from '../http/errors';

/** A control-plane input the mock cannot use: PostHog's validation body, naming the field. */
export const badControl = (detail: string, attr: string | null = null): ApiError =>
  new ApiError(400, 'validation_error', 'invalid_input', detail, attr);
