import type { Facts } from './types';

const dateTime = { type: 'string', format: 'date-time' } as const;

/** Objects every resource shares: the user summary, PostHog's error body, activity entries. */
export const facts: Facts = {
  UserBasic: {
    fields: {
      id: { type: 'integer' },
      uuid: { type: 'string', format: 'uuid' },
      distinct_id: { type: 'string', nullable: true, maxLength: 200 },
      first_name: { type: 'string', maxLength: 150 },
      last_name: { type: 'string', maxLength: 150 },
      email: { type: 'string', format: 'email', maxLength: 254 },
      is_email_verified: { type: 'boolean', nullable: true },
      hedgehog_config: { type: 'object', nullable: true, values: true },
      role_at_organization: { type: 'string', nullable: true },
    },
  },
  Error: {
    fields: {
      type: {
        type: 'string',
        enum: [
          'validation_error',
          'invalid_request',
          'authentication_error',
          'throttled_error',
          'server_error',
        ],
      },
      code: { type: 'string', minLength: 1 },
      detail: { type: 'string', minLength: 1 },
      attr: { type: 'string', nullable: true },
    },
  },
  ActivityLog: {
    fields: {
      id: { type: 'string', format: 'uuid' },
      user: { ref: 'UserBasic', nullable: true },
      unread: { type: 'boolean' },
      organization_id: { type: 'string', format: 'uuid' },
      was_impersonated: { type: 'boolean' },
      is_system: { type: 'boolean' },
      activity: { type: 'string' },
      item_id: { type: 'string' },
      scope: { type: 'string' },
      detail: {
        type: 'object',
        properties: {
          changes: {
            type: 'array',
            nullable: true,
            items: {
              type: 'object',
              properties: {
                type: { type: 'string' },
                action: {
                  type: 'string',
                  enum: ['changed', 'created', 'deleted', 'merged', 'split', 'exported'],
                },
                field: { type: 'string', nullable: true },
                before: { type: 'any' },
                after: { type: 'any' },
              },
            },
          },
          merge: { type: 'any' },
          trigger: { type: 'any' },
          name: { type: 'string', nullable: true },
          short_id: { type: 'string', nullable: true },
          type: { type: 'string', nullable: true },
        },
      },
      created_at: dateTime,
    },
  },
  /** the activity endpoints' page: page/limit, with a total instead of a count */
  ActivityLogPage: {
    fields: {
      results: { type: 'array', items: { ref: 'ActivityLog' } },
      next: { type: 'string', format: 'uri', nullable: true },
      previous: { type: 'string', format: 'uri', nullable: true },
      total_count: { type: 'integer', minimum: 0 },
    },
  },
};
