import type { Facts, Field } from './types';

/**
 * The objects of the calls PostHog's clients make first (who am I, what can I see): the user, its
 * personal API key, organizations and the teams in them. Neither API reference page describes them, so
 * every field comes from here: PostHog's serializers (UserSerializer, PersonalAPIKeySerializer,
 * OrganizationSerializer, TeamBasicSerializer) and the 2026 published schema's types and required lists,
 * as the behaviour notes (posthog-identity-endpoints.md) record them.
 */

const dateTime = { type: 'string', format: 'date-time' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const level = { type: 'integer', enum: [1, 8, 15] } as const;
const anyJson: Field = { type: 'any' };
const nullableBool = { type: 'boolean', nullable: true } as const;
const nullableString = { type: 'string', nullable: true } as const;
const nullableObject: Field = { type: 'object', nullable: true, values: true };
const readOnly = <F extends Field>(field: F): F & { readOnly: true } => ({ ...field, readOnly: true });

export const facts: Facts = {
  /** a project as the user and organization objects nest it (TeamBasicSerializer) */
  TeamBasic: {
    fields: {
      id: { type: 'integer' },
      uuid,
      organization: uuid,
      project_id: { type: 'integer' },
      api_token: { type: 'string' },
      name: { type: 'string', maxLength: 200 },
      completed_snippet_onboarding: { type: 'boolean' },
      has_completed_onboarding_for: nullableObject,
      ingested_event: { type: 'boolean' },
      is_demo: { type: 'boolean' },
      timezone: { type: 'string', format: 'iana-timezone' },
      access_control: { type: 'boolean' },
    },
  },
  /** each organization the user belongs to, in `organizations` of /api/users/@me/ */
  OrganizationBasic: {
    fields: {
      id: uuid,
      name: { type: 'string', maxLength: 64 },
      slug: { type: 'string', maxLength: 48, pattern: '^[-a-zA-Z0-9_]+$' },
      logo_media_id: { ...uuid, nullable: true },
      membership_level: { ...level, nullable: true },
      members_can_use_personal_api_keys: { type: 'boolean' },
      is_active: nullableBool,
      is_not_active_reason: nullableString,
      is_pending_deletion: nullableBool,
    },
  },
  Organization: {
    paginated: true,
    fields: {
      id: uuid,
      name: { type: 'string', maxLength: 64 },
      slug: { type: 'string', maxLength: 48, pattern: '^[-a-zA-Z0-9_]+$' },
      logo_media_id: { ...uuid, nullable: true },
      created_at: dateTime,
      updated_at: dateTime,
      membership_level: { ...level, nullable: true },
      plugins_access_level: { type: 'integer', enum: [0, 3, 6, 9] },
      teams: { type: 'array', items: { ref: 'TeamBasic' } },
      projects: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'integer' }, organization_id: uuid, name: { type: 'string' } },
        },
      },
      available_product_features: { type: 'array', nullable: true, items: { type: 'object', values: true } },
      is_member_join_email_enabled: { type: 'boolean' },
      // the 2025 schema types metadata as a string; it is `{"instance_tag": ...}` at runtime
      metadata: { type: 'object', values: true },
      customer_id: nullableString,
      enforce_2fa: nullableBool,
      members_can_invite: nullableBool,
      members_can_use_personal_api_keys: { type: 'boolean' },
      allow_publicly_shared_resources: { type: 'boolean' },
      // the 2025 schema types member_count as a string; it is a count at runtime
      member_count: { type: 'integer', minimum: 0 },
      is_ai_data_processing_approved: nullableBool,
      default_experiment_stats_method: {
        type: 'string',
        nullable: true,
        enum: ['bayesian', 'frequentist', ''],
      },
      default_anonymize_ips: { type: 'boolean' },
      default_role_id: nullableString,
      is_active: nullableBool,
      is_not_active_reason: nullableString,
      is_pending_deletion: nullableBool,
    },
  },
  /** UserSerializer: GET /api/users/@me/ and the body PATCH accepts (`PatchedUserRequest`) */
  User: {
    patch: true,
    fields: {
      date_joined: readOnly(dateTime),
      uuid: readOnly(uuid),
      distinct_id: readOnly({ type: 'string', nullable: true, maxLength: 200 }),
      first_name: { type: 'string', maxLength: 150 },
      last_name: { type: 'string', maxLength: 150 },
      email: { type: 'string', format: 'email', maxLength: 254 },
      pending_email: readOnly({ type: 'string', format: 'email', nullable: true }),
      is_email_verified: readOnly(nullableBool),
      notification_settings: { type: 'object', values: true },
      notification_locks: readOnly({
        type: 'array',
        items: {
          type: 'object',
          properties: { setting: { type: 'string' }, scope_id: { type: 'string' }, locked_value: anyJson },
        },
      }),
      anonymize_data: nullableBool,
      allow_impersonation: nullableBool,
      toolbar_mode: { type: 'string', nullable: true, enum: ['disabled', 'toolbar', ''] },
      has_password: readOnly({ type: 'boolean' }),
      id: readOnly({ type: 'integer' }),
      is_staff: { type: 'boolean' },
      is_impersonated: readOnly(nullableBool),
      is_impersonated_until: readOnly(nullableString),
      is_impersonated_read_only: readOnly(nullableBool),
      sensitive_session_expires_at: readOnly(nullableString),
      team: readOnly({ ref: 'TeamBasic', nullable: true }),
      organization: readOnly({ ref: 'Organization', nullable: true }),
      organizations: readOnly({ type: 'array', items: { ref: 'OrganizationBasic' } }),
      set_current_organization: { type: 'string', writeOnly: true },
      set_current_team: { type: 'integer', writeOnly: true },
      password: { type: 'string', maxLength: 128, writeOnly: true },
      current_password: { type: 'string', writeOnly: true },
      events_column_config: anyJson,
      is_2fa_enabled: readOnly({ type: 'boolean' }),
      has_social_auth: readOnly({ type: 'boolean' }),
      has_sso_enforcement: readOnly({ type: 'boolean' }),
      has_seen_product_intro_for: nullableObject,
      scene_personalisation: readOnly({
        type: 'array',
        items: { type: 'object', properties: { scene: { type: 'string' }, dashboard: { type: 'integer' } } },
      }),
      theme_mode: { type: 'string', nullable: true, enum: ['light', 'dark', 'system', ''] },
      hedgehog_config: nullableObject,
      allow_sidebar_suggestions: nullableBool,
      shortcut_position: { type: 'string', nullable: true, enum: ['above', 'below', 'hidden'] },
      role_at_organization: {
        type: 'string',
        nullable: true,
        enum: ['engineering', 'data', 'product', 'founder', 'leadership', 'marketing', 'sales', 'other'],
      },
      passkeys_enabled_for_2fa: nullableBool,
      is_organization_first_user: readOnly(nullableBool),
      pending_invites: readOnly({
        type: 'array',
        maxItems: 25,
        items: {
          type: 'object',
          properties: {
            id: uuid,
            target_email: { type: 'string', format: 'email' },
            organization_id: uuid,
            organization_name: { type: 'string' },
            created_at: dateTime,
          },
        },
      }),
    },
  },
  /** PersonalAPIKeySerializer: the calling key's record (`@current`) and the list's items */
  PersonalAPIKey: {
    fields: {
      id: { type: 'string', minLength: 1 },
      label: { type: 'string', maxLength: 40 },
      // the full value only on create or roll, which keys cannot do: null on every read
      value: { type: 'string', nullable: true },
      mask_value: { type: 'string', nullable: true },
      created_at: dateTime,
      last_used_at: { ...dateTime, nullable: true },
      user_id: { type: 'integer' },
      scopes: { type: 'array', items: { type: 'string', pattern: '^(\\*|[a-z_]+:(read|write))$' } },
      scoped_teams: { type: 'array', nullable: true, items: { type: 'integer' } },
      scoped_organizations: { type: 'array', nullable: true, items: uuid },
      last_rolled_at: { ...dateTime, nullable: true },
    },
  },
  /** `GET /api/personal_api_keys/` answers a bare array, not a page */
  PersonalAPIKeyList: { arrayOf: { ref: 'PersonalAPIKey' }, fields: {} },
};
