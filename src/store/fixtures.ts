import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { PACKAGE_ROOT } from '../paths';

/**
 * The hand-written part of the seeded world, read at start from `fixtures/*.json` (the package's own,
 * whatever the working directory) or from a user's folder (`--fixtures DIR`), where each file present
 * replaces the package's file of the same name. Every file is checked against its schema and every
 * cross-reference is resolved before anything is seeded, so a mistake stops the start with its file,
 * its place and what is wrong.
 */
export interface Fixtures {
  organization: { id: string; name: string; created_at: string };
  users: ({
    uuid: string;
    first_name: string;
    last_name: string;
    email: string;
    level: 1 | 8 | 15;
    role_at_organization: string | null;
  } & FixtureKeyFields &
    Partial<FixtureKey> & {
      /** more keys of the same user, e.g. a read-only one */
      extra_api_keys?: FixtureKey[];
    })[];
  /**
   * users who have left the organization: they keep their account and key but hold no membership, so
   * PostHog answers 403 on the organization's and its projects' endpoints
   */
  formerMembers: ({
    uuid: string;
    first_name: string;
    last_name: string;
    email: string;
    role_at_organization: string | null;
  } & FixtureKey)[];
  projects: { id: number; uuid: string; name: string; timezone: string; api_token: string }[];
  roles: { id: string; name: string; members: string[] }[];
  invites: {
    id: string;
    target_email: string;
    first_name: string;
    level: 1 | 8 | 15;
    message: string | null;
  }[];
  oauthApplications: {
    id: string;
    name: string;
    client_id: string;
    redirect_uris_list: string[];
    is_verified: boolean;
  }[];
  persons: { project: number; uuid: string; distinct_ids: string[]; properties: Record<string, unknown> }[];
  cohorts: { project: number; name: string; description: string; property: string; values: string[] }[];
  plugins: {
    id: number;
    kind: 'destination' | 'frontend_app';
    name: string;
    description: string;
    url: string;
    config_schema: {
      key: string;
      name: string;
      type: string;
      required?: boolean;
      secret?: boolean;
      default?: string;
    }[];
    jobs: string[];
    frontend_source: string | null;
  }[];
  pluginConfigs: {
    id: number;
    project: number;
    plugin: number;
    enabled: boolean;
    order: number;
    name: string;
    config: Record<string, unknown>;
  }[];
}

/** What a fixture key may restrict (absent: no restriction), as PostHog's personal API keys do. */
export interface FixtureKeyFields {
  /** scopes such as `person:read` or `project:write`; default `["*"]` (everything) */
  scopes?: string[];
  /** the projects (ids) the key may act on; default all */
  scoped_teams?: number[];
  /** the organizations (uuids) the key may act on; default all */
  scoped_organizations?: string[];
}

export interface FixtureKey extends FixtureKeyFields {
  personal_api_key: string;
}

export class FixtureError extends Error {}

/** The file each part is read from. */
export const FIXTURE_FILES: Record<keyof Fixtures, string> = {
  organization: 'organization.json',
  users: 'users.json',
  formerMembers: 'former-members.json',
  projects: 'projects.json',
  roles: 'roles.json',
  invites: 'invites.json',
  oauthApplications: 'oauth-applications.json',
  persons: 'persons.json',
  cohorts: 'cohorts.json',
  plugins: 'plugins.json',
  pluginConfigs: 'plugin-configs.json',
};

export const DEFAULT_FIXTURES_DIR = path.join(PACKAGE_ROOT, 'fixtures');

const uuid = { type: 'string', format: 'uuid' };
const text = { type: 'string', minLength: 1 };
const id = { type: 'integer', minimum: 1 };
const level = { enum: [1, 8, 15] };
const keyFields = {
  scopes: {
    type: 'array',
    items: { type: 'string', pattern: '^(\\*|[a-z_]+:(read|write))$' },
    uniqueItems: true,
  },
  scoped_teams: { type: 'array', items: id, uniqueItems: true },
  scoped_organizations: { type: 'array', items: uuid, uniqueItems: true },
};
const list = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'array',
  items: { type: 'object', properties, required, additionalProperties: false },
});

const SCHEMAS: Record<keyof Fixtures, object> = {
  organization: {
    type: 'object',
    properties: { id: uuid, name: text, created_at: { type: 'string', format: 'date-time' } },
    required: ['id', 'name', 'created_at'],
    additionalProperties: false,
  },
  users: {
    ...list(
      {
        uuid,
        first_name: { type: 'string' },
        last_name: { type: 'string' },
        email: { type: 'string', format: 'email' },
        level,
        role_at_organization: { type: ['string', 'null'] },
        personal_api_key: text,
        ...keyFields,
        extra_api_keys: list({ personal_api_key: text, ...keyFields }, ['personal_api_key']),
      },
      ['uuid', 'first_name', 'last_name', 'email', 'level', 'role_at_organization'],
    ),
    minItems: 1,
  },
  formerMembers: list(
    {
      uuid,
      first_name: { type: 'string' },
      last_name: { type: 'string' },
      email: { type: 'string', format: 'email' },
      role_at_organization: { type: ['string', 'null'] },
      personal_api_key: text,
      ...keyFields,
    },
    ['uuid', 'first_name', 'last_name', 'email', 'role_at_organization', 'personal_api_key'],
  ),
  projects: {
    ...list({ id, uuid, name: text, timezone: text, api_token: text }),
    minItems: 1,
  },
  roles: list({ id: uuid, name: text, members: { type: 'array', items: { type: 'string' } } }),
  invites: list({
    id: uuid,
    target_email: { type: 'string', format: 'email' },
    first_name: { type: 'string' },
    level,
    message: { type: ['string', 'null'] },
  }),
  oauthApplications: list({
    id: uuid,
    name: text,
    client_id: text,
    redirect_uris_list: { type: 'array', items: { type: 'string', format: 'uri' } },
    is_verified: { type: 'boolean' },
  }),
  persons: list({
    project: id,
    uuid,
    distinct_ids: { type: 'array', items: text, minItems: 1 },
    properties: { type: 'object' },
  }),
  cohorts: list({
    project: id,
    name: text,
    description: { type: 'string' },
    property: text,
    values: { type: 'array', items: { type: 'string' } },
  }),
  plugins: list({
    id,
    kind: { enum: ['destination', 'frontend_app'] },
    name: text,
    description: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    config_schema: list(
      {
        key: text,
        name: { type: 'string' },
        type: text,
        required: { type: 'boolean' },
        secret: { type: 'boolean' },
        default: { type: 'string' },
      },
      ['key', 'name', 'type'],
    ),
    jobs: { type: 'array', items: text },
    frontend_source: { type: ['string', 'null'] },
  }),
  pluginConfigs: list({
    id,
    project: id,
    plugin: id,
    enabled: { type: 'boolean' },
    order: { type: 'integer', minimum: 0 },
    name: { type: 'string' },
    config: { type: 'object' },
  }),
};

const ajv = new Ajv({ allErrors: false, strict: true });
addFormats(ajv);
const validators = Object.fromEntries(
  Object.entries(SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]),
) as Record<keyof Fixtures, ReturnType<typeof ajv.compile>>;

const describeError = (e: ErrorObject): string => {
  const where = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('');
  const what =
    e.keyword === 'additionalProperties'
      ? `unknown field "${String(e.params.additionalProperty)}"`
      : e.keyword === 'required'
        ? `missing field "${String(e.params.missingProperty)}"`
        : e.keyword === 'enum'
          ? `must be one of ${JSON.stringify(e.params.allowedValues)}`
          : (e.message ?? 'is invalid');
  return `${where || '(top level)'}: ${what}`;
};

function readFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FixtureError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FixtureError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

function duplicates<T>(items: T[], key: (item: T) => unknown): unknown[] {
  const seen = new Set<unknown>();
  const twice = new Set<unknown>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) twice.add(k);
    seen.add(k);
  }
  return [...twice];
}

/** Every reference between files resolves, and every id is unique: the seeding relies on both. */
function checkReferences(f: Fixtures, fileOf: (part: keyof Fixtures) => string): void {
  const problems: string[] = [];
  const unique = <T>(part: keyof Fixtures, items: T[], field: string, key: (item: T) => unknown) => {
    for (const d of duplicates(items, key))
      problems.push(`${fileOf(part)}: ${field} ${JSON.stringify(d)} appears twice`);
  };
  // former members are users too: their uuids, emails and keys are unique among all users'
  const everyone = [...f.users, ...f.formerMembers];
  unique('users', everyone, 'uuid', (u) => u.uuid);
  unique('users', everyone, 'email', (u) => u.email.toLowerCase());
  unique(
    'users',
    everyone.flatMap((u) => [
      ...(u.personal_api_key ? [u.personal_api_key] : []),
      ...('extra_api_keys' in u ? (u.extra_api_keys ?? []) : []).map((k) => k.personal_api_key),
    ]),
    'personal_api_key',
    (k) => k,
  );
  f.users.forEach((u, i) => {
    if (!u.personal_api_key && (u.scopes || u.scoped_teams || u.scoped_organizations))
      problems.push(`${fileOf('users')}: [${i}]: scopes are given without a personal_api_key`);
  });
  unique('projects', f.projects, 'id', (p) => p.id);
  unique('projects', f.projects, 'uuid', (p) => p.uuid);
  unique('roles', f.roles, 'id', (r) => r.id);
  unique('roles', f.roles, 'name', (r) => r.name.toLowerCase());
  unique('invites', f.invites, 'id', (i) => i.id);
  unique('oauthApplications', f.oauthApplications, 'id', (a) => a.id);
  unique('persons', f.persons, 'uuid', (p) => p.uuid);
  unique('plugins', f.plugins, 'id', (p) => p.id);
  unique('pluginConfigs', f.pluginConfigs, 'id', (c) => c.id);
  if (f.users[0] && f.users[0].level !== 15) {
    problems.push(
      `${fileOf('users')}: [0].level: the first user is the organization's owner and must have level 15`,
    );
  }
  const emails = new Set(f.users.map((u) => u.email));
  f.roles.forEach((r, i) =>
    r.members.forEach((m, j) => {
      if (!emails.has(m))
        problems.push(`${fileOf('roles')}: [${i}].members[${j}]: no user has the email "${m}"`);
    }),
  );
  const projects = new Set(f.projects.map((p) => p.id));
  const project = (part: keyof Fixtures, items: { project: number }[]) =>
    items.forEach((item, i) => {
      if (!projects.has(item.project))
        problems.push(`${fileOf(part)}: [${i}].project: no project has the id ${item.project}`);
    });
  project('persons', f.persons);
  project('cohorts', f.cohorts);
  project('pluginConfigs', f.pluginConfigs);
  const plugins = new Set(f.plugins.map((p) => p.id));
  f.pluginConfigs.forEach((c, i) => {
    if (!plugins.has(c.plugin))
      problems.push(`${fileOf('pluginConfigs')}: [${i}].plugin: no plugin has the id ${c.plugin}`);
  });
  const distinct = f.persons.flatMap((p) => p.distinct_ids.map((d) => `${p.project}:${d}`));
  for (const d of duplicates(distinct, (x) => x)) {
    const [proj, ...rest] = String(d).split(':');
    problems.push(
      `${fileOf('persons')}: distinct id "${rest.join(':')}" belongs to two persons of project ${proj}`,
    );
  }
  if (problems.length) throw new FixtureError(problems.join('\n'));
}

const cache = new Map<string, Fixtures>();

/**
 * Reads and checks the fixtures: the package's own, with each file found in `dir` (if given) in its
 * place. Throws a FixtureError naming each problem with its file. The result is cached per folder.
 */
export function loadFixtures(dir?: string): Fixtures {
  const key = dir ? path.resolve(dir) : '';
  const cached = cache.get(key);
  if (cached) return cached;
  if (dir) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch {
      stat = undefined;
    }
    if (!stat?.isDirectory()) throw new FixtureError(`${dir}: not a folder of fixture files`);
    const known = new Set(Object.values(FIXTURE_FILES));
    const unknown = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !known.has(f));
    if (unknown.length) {
      throw new FixtureError(
        `${dir}: unknown fixture file(s) ${unknown.join(', ')}; known files: ${[...known].join(', ')}`,
      );
    }
  }
  const fileOf = (part: keyof Fixtures): string => {
    const own = dir ? path.join(dir, FIXTURE_FILES[part]) : undefined;
    return own && fs.existsSync(own) ? own : path.join(DEFAULT_FIXTURES_DIR, FIXTURE_FILES[part]);
  };
  const fixtures = {} as Record<keyof Fixtures, unknown>;
  for (const part of Object.keys(FIXTURE_FILES) as (keyof Fixtures)[]) {
    const file = fileOf(part);
    const data = readFile(file);
    const validate = validators[part];
    if (!validate(data)) throw new FixtureError(`${file}: ${describeError(validate.errors![0]!)}`);
    fixtures[part] = data;
  }
  checkReferences(fixtures as Fixtures, fileOf);
  cache.set(key, fixtures as Fixtures);
  return fixtures as Fixtures;
}
