/**
 * JSON Schema of an exported state document (`GET /__mock/state`): one entry per collection of
 * `State`, each record with the fields the store keeps (see src/store/types.ts). Import checks a
 * document against it before anything is replaced.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', minimum: 0 };
const bool: Schema = { type: 'boolean' };
const obj: Schema = { type: 'object' };
const uuid: Schema = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
};
const orNull = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const list = (items: Schema): Schema => ({ type: 'array', items });
const level: Schema = { enum: [1, 8, 15] };

/** A record with exactly these fields (all required), unless `open` allows more. */
const record = (properties: Record<string, Schema>, open = false, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: open,
});

const personalApiKey = record(
  {
    id: str,
    label: str,
    value: { type: 'string', minLength: 1 },
    scopes: list(str),
    last_used_at: orNull(str),
    scoped_teams: list(int),
    scoped_organizations: list(str),
  },
  false,
  ['scoped_teams', 'scoped_organizations'],
);

const pluginConfigField = record(
  {
    key: str,
    name: str,
    type: { enum: ['string', 'choice', 'attachment', 'json'] },
    default: str,
    required: bool,
    secret: bool,
  },
  false,
  ['default', 'required', 'secret'],
);

export const COLLECTIONS = {
  organizations: record({ id: uuid, name: str, created_at: str }),
  users: record(
    {
      id: int,
      uuid: str,
      distinct_id: str,
      first_name: str,
      last_name: str,
      email: str,
      is_email_verified: bool,
      hedgehog_config: orNull(obj),
      role_at_organization: orNull(str),
      is_2fa_enabled: bool,
      has_social_auth: bool,
      last_login: orNull(str),
      current_organization_id: uuid,
      current_team_id: int,
      preferences: obj,
      personal_api_keys: list(personalApiKey),
    },
    false,
    ['current_team_id', 'preferences'],
  ),
  memberships: record({
    id: str,
    organization_id: uuid,
    user_id: int,
    level,
    joined_at: str,
    updated_at: str,
  }),
  // projects keep every documented setting besides these, so other fields are allowed
  projects: record(
    {
      id: int,
      uuid: str,
      organization: uuid,
      name: str,
      api_token: str,
      created_at: str,
      updated_at: str,
      timezone: str,
      person_display_name_properties: orNull(list(str)),
    },
    true,
  ),
  roles: record({
    id: str,
    organization_id: uuid,
    name: str,
    created_at: str,
    created_by_id: orNull(int),
    is_default: bool,
    feature_flags_access_level: orNull({ type: 'integer' }),
  }),
  roleMemberships: record({ id: str, role_id: str, user_id: int, joined_at: str, updated_at: str }),
  invites: record({
    id: str,
    organization_id: uuid,
    target_email: str,
    first_name: str,
    emailing_attempt_made: bool,
    level,
    created_by_id: orNull(int),
    created_at: str,
    updated_at: str,
    message: orNull(str),
    private_project_access: orNull(list(record({ id: int, level: { type: 'integer' } }))),
    send_email: bool,
    combine_pending_invites: bool,
  }),
  legalDocuments: record({
    id: str,
    organization_id: uuid,
    document_type: { enum: ['BAA', 'DPA'] },
    company_name: str,
    company_address: str,
    representative_name: str,
    representative_title: str,
    representative_email: str,
    dpa_mode: str,
    status: str,
    signed_document_url: orNull(str),
    created_by_id: orNull(int),
    created_at: str,
  }),
  oauthApplications: record({
    id: str,
    organization_id: uuid,
    name: str,
    client_id: str,
    redirect_uris_list: list(str),
    is_verified: bool,
    created: str,
    updated: str,
  }),
  activity: record({
    id: str,
    organization_id: uuid,
    team_id: orNull(int),
    scope: str,
    item_id: str,
    activity: str,
    user_id: orNull(int),
    was_impersonated: bool,
    is_system: bool,
    detail: record(
      {
        changes: orNull(
          list(
            record({ type: str, action: str, field: orNull(str), before: {}, after: {} }, false, [
              'before',
              'after',
            ]),
          ),
        ),
        merge: {},
        trigger: {},
        name: orNull(str),
        short_id: orNull(str),
        type: orNull(str),
      },
      false,
      ['merge', 'trigger'],
    ),
    created_at: str,
  }),
  persons: record({
    id: int,
    uuid: str,
    team_id: int,
    distinct_ids: list(str),
    properties: obj,
    created_at: str,
    timeline: list(record({ timestamp: str, properties: obj })),
  }),
  cohorts: record({
    id: int,
    team_id: int,
    name: str,
    description: str,
    created_at: str,
    created_by_id: orNull(int),
    is_static: bool,
    filters: obj,
    person_ids: list(int),
  }),
  plugins: record({
    id: int,
    organization_id: uuid,
    kind: { enum: ['destination', 'frontend_app'] },
    name: str,
    description: str,
    url: str,
    icon: orNull(str),
    config_schema: list(pluginConfigField),
    jobs: list(str),
    frontend_source: orNull(str),
    latest_tag: str,
  }),
  pluginConfigs: record({
    id: int,
    team_id: int,
    plugin_id: int,
    enabled: bool,
    order: { type: 'integer' },
    config: obj,
    error: orNull(obj),
    name: orNull(str),
    description: orNull(str),
    deleted: bool,
    delivery_rate_24h: orNull({ type: 'number' }),
    created_at: str,
    updated_at: orNull(str),
    jobs_run: list(record({ type: str, payload: obj, at: str })),
  }),
} satisfies Record<string, Schema>;

export const SEQUENCES = ['user', 'project', 'person', 'cohort', 'plugin', 'pluginConfig'] as const;

const seedOption: Schema = { type: 'integer', minimum: 0, maximum: 1_000_000 };

export const STATE_DOCUMENT_SCHEMA: Schema = {
  type: 'object',
  properties: {
    format: { const: 'posthog-mock/state' },
    version: { const: 1 },
    options: record({
      seed: { type: 'integer' },
      members: seedOption,
      projects: seedOption,
      personsPerProject: seedOption,
      roles: seedOption,
      invites: seedOption,
    }),
    data: record({
      ...Object.fromEntries(Object.entries(COLLECTIONS).map(([name, s]) => [name, list(s)])),
      sequences: record(Object.fromEntries(SEQUENCES.map((s) => [s, int]))),
    }),
  },
  required: ['format', 'version', 'options', 'data'],
  additionalProperties: false,
};
