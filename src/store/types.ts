import type { PersonTable, SeededPersons } from './people';
import type { Table } from './table';

/** Entities as the store keeps them. Resource modules turn these into the documented response shapes. */

export type Level = 1 | 8 | 15;
export const LEVEL = { member: 1, admin: 8, owner: 15 } as const;

export interface PersonalApiKey {
  id: string;
  label: string;
  value: string;
  /** `["*"]` for everything, or scopes such as `person:read`; an empty list is a legacy key (everything) */
  scopes: string[];
  last_used_at: string | null;
  /** when present, the only projects (ids) the key may act on */
  scoped_teams?: number[];
  /** when present, the only organizations (uuids) the key may act on */
  scoped_organizations?: string[];
}

export interface User {
  id: number;
  uuid: string;
  distinct_id: string;
  first_name: string;
  last_name: string;
  email: string;
  is_email_verified: boolean;
  hedgehog_config: Record<string, unknown> | null;
  role_at_organization: string | null;
  is_2fa_enabled: boolean;
  has_social_auth: boolean;
  last_login: string | null;
  current_organization_id: string;
  /** the current project (PATCH /api/users/@me/ set_current_team); unset: the current organization's first */
  current_team_id?: number;
  /** the user's own settings written through PATCH /api/users/@me/ (theme_mode, toolbar_mode, ...) */
  preferences?: Record<string, unknown>;
  personal_api_keys: PersonalApiKey[];
}

export interface Organization {
  id: string;
  name: string;
  created_at: string;
}

export interface Membership {
  id: string;
  organization_id: string;
  user_id: number;
  level: Level;
  joined_at: string;
  updated_at: string;
}

/** A project keeps every documented field beside its organization; `Project.json` is its full shape. */
export interface Project extends Record<string, unknown> {
  id: number;
  uuid: string;
  organization: string;
  name: string;
  api_token: string;
  created_at: string;
  updated_at: string;
  timezone: string;
  person_display_name_properties: string[] | null;
}

export interface Role {
  id: string;
  organization_id: string;
  name: string;
  created_at: string;
  created_by_id: number | null;
  is_default: boolean;
  feature_flags_access_level: number | null;
}

export interface RoleMembership {
  id: string;
  role_id: string;
  user_id: number;
  joined_at: string;
  updated_at: string;
}

export interface Invite {
  id: string;
  organization_id: string;
  target_email: string;
  first_name: string;
  emailing_attempt_made: boolean;
  level: Level;
  created_by_id: number | null;
  created_at: string;
  updated_at: string;
  message: string | null;
  private_project_access: { id: number; level: number }[] | null;
  send_email: boolean;
  combine_pending_invites: boolean;
}

export interface LegalDocument {
  id: string;
  organization_id: string;
  document_type: 'BAA' | 'DPA';
  company_name: string;
  company_address: string;
  representative_name: string;
  representative_title: string;
  representative_email: string;
  dpa_mode: string;
  status: string;
  signed_document_url: string | null;
  created_by_id: number | null;
  created_at: string;
}

export interface OAuthApplication {
  id: string;
  organization_id: string;
  name: string;
  client_id: string;
  redirect_uris_list: string[];
  is_verified: boolean;
  created: string;
  updated: string;
}

export interface ActivityEntry {
  id: string;
  organization_id: string;
  team_id: number | null;
  scope: string;
  item_id: string;
  activity: string;
  user_id: number | null;
  was_impersonated: boolean;
  is_system: boolean;
  detail: {
    changes: { type: string; action: string; field: string | null; before: unknown; after: unknown }[] | null;
    merge: unknown;
    trigger: unknown;
    name: string | null;
    short_id: string | null;
    type: string | null;
  };
  created_at: string;
}

export interface Person {
  id: number;
  uuid: string;
  team_id: number;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  created_at: string;
  /** property snapshots over time, newest last: the source of properties_timeline */
  timeline: {
    timestamp: string;
    properties: Record<string, unknown>;
    /** how many keys `properties` has, kept for the timeline's cap (absent on seeded points) */
    size?: number;
  }[];
}

export interface Cohort {
  id: number;
  team_id: number;
  name: string;
  description: string;
  created_at: string;
  created_by_id: number | null;
  is_static: boolean;
  filters: Record<string, unknown>;
  /** members by id (a static or imported cohort); a seeded cohort has `match` instead */
  person_ids: number[];
  /** a seeded cohort's rule: persons whose `property` is one of `values`, calculated on first use */
  match?: { property: string; values: string[] };
}

export type PluginKind = 'destination' | 'frontend_app';

export interface PluginConfigField {
  key: string;
  name: string;
  type: 'string' | 'choice' | 'attachment' | 'json';
  default?: string;
  required?: boolean;
  secret?: boolean;
}

export interface Plugin {
  id: number;
  organization_id: string;
  kind: PluginKind;
  name: string;
  description: string;
  url: string;
  icon: string | null;
  config_schema: PluginConfigField[];
  jobs: string[];
  frontend_source: string | null;
  latest_tag: string;
}

export interface PluginConfig {
  id: number;
  team_id: number;
  plugin_id: number;
  enabled: boolean;
  order: number;
  config: Record<string, unknown>;
  error: Record<string, unknown> | null;
  name: string | null;
  description: string | null;
  deleted: boolean;
  delivery_rate_24h: number | null;
  created_at: string;
  updated_at: string | null;
  jobs_run: { type: string; payload: Record<string, unknown>; at: string }[];
}

/** The collections kept as entities by id: name, then [key, entity]. */
export interface Entities {
  organizations: [string, Organization];
  users: [number, User];
  memberships: [string, Membership];
  projects: [number, Project];
  roles: [string, Role];
  roleMemberships: [string, RoleMembership];
  invites: [string, Invite];
  legalDocuments: [string, LegalDocument];
  oauthApplications: [string, OAuthApplication];
  cohorts: [number, Cohort];
  plugins: [number, Plugin];
  pluginConfigs: [number, PluginConfig];
}

export interface Sequences {
  user: number;
  project: number;
  person: number;
  cohort: number;
  plugin: number;
  pluginConfig: number;
}

/** The seeded world, shared (frozen) by every reset and every world: plain maps, and the seeded persons. */
export type SeedState = { [K in keyof Entities]: Map<Entities[K][0], Entities[K][1]> } & {
  activity: ActivityEntry[];
  persons: SeededPersons;
  sequences: Sequences;
};

/** Everything one world knows: tables over the seeded world, with the world's changes in their overlays. */
export type State = { [K in keyof Entities]: Table<Entities[K][0], Entities[K][1]> } & {
  activity: ActivityEntry[];
  persons: PersonTable;
  sequences: Sequences;
};
