import { Faker, en } from './faker';
import { createHash } from 'node:crypto';
import { loadFixtures, type FixtureKey, type Fixtures } from './fixtures';
import { DAY_MS, isoMicro } from '../time';
import { SeededPersons, type PersonBlock } from './people';
import { projectSettingsDefaults } from './project-defaults';
import type {
  Level,
  Person,
  PersonalApiKey,
  Plugin,
  PluginConfigField,
  PluginKind,
  Project,
  SeedState,
  User,
} from './types';

export interface SeedOptions {
  /** faker seed: the same seed gives byte-identical data */
  seed: number;
  /** members added around the three fixture users */
  members: number;
  /** projects added after the fixture projects 1 and 2 */
  projects: number;
  /** persons per project, fixture persons included */
  personsPerProject: number;
  /** roles added around the fixture roles */
  roles: number;
  /** pending invites added around the fixture invites */
  invites: number;
}

/** the projects persons are seeded for: the package's two fixture projects and the extra ones */
export const seededProjects = (options: Pick<SeedOptions, 'projects'>): number => options.projects + 2;

export const DEFAULT_SEED_OPTIONS: SeedOptions = {
  seed: 42,
  members: 9,
  projects: 1,
  personsPerProject: 300,
  roles: 2,
  invites: 3,
};

/** Seeded timestamps are spread before this moment, so they do not move between runs. */
export const SEED_REFERENCE_MS = Date.parse('2025-06-01T12:00:00.000Z');

const ROLES_AT_ORG = [
  'engineering',
  'data',
  'product',
  'founder',
  'leadership',
  'marketing',
  'sales',
  'other',
];

/** faker draws for a new role name before a number is added to make it unique */
const ROLE_NAME_TRIES = 10;

export function seedState(options: SeedOptions, fixtures: Fixtures = loadFixtures()): SeedState {
  const {
    organization: organizationFixture,
    users: userFixtures,
    formerMembers: formerMemberFixtures,
    projects: projectFixtures,
    roles: roleFixtures,
    invites: inviteFixtures,
    oauthApplications: oauthFixtures,
    persons: personFixtures,
    cohorts: cohortFixtures,
    plugins: pluginFixtures,
    pluginConfigs: pluginConfigFixtures,
  } = structuredClone(fixtures);
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed);
  const ref = new Date(SEED_REFERENCE_MS);
  // every date faker makes is relative to the fixed reference, never to the clock
  faker.setDefaultRefDate(ref);
  const pastIso = (days: number): string => {
    const d = faker.date.recent({ days, refDate: ref });
    return isoMicro(d.getTime(), faker.number.int(999));
  };
  const betweenIso = (fromIso: string): string => {
    const d = faker.date.between({ from: Date.parse(fromIso), to: ref });
    return isoMicro(d.getTime(), faker.number.int(999));
  };

  const state: Omit<SeedState, 'persons'> & { persons?: SeededPersons } = {
    organizations: new Map(),
    users: new Map(),
    memberships: new Map(),
    projects: new Map(),
    roles: new Map(),
    roleMemberships: new Map(),
    invites: new Map(),
    legalDocuments: new Map(),
    oauthApplications: new Map(),
    activity: [],
    cohorts: new Map(),
    plugins: new Map(),
    pluginConfigs: new Map(),
    sequences: { user: 0, project: 0, person: 0, cohort: 0, plugin: 0, pluginConfig: 0 },
  };
  const org = { ...organizationFixture };
  state.organizations.set(org.id, org);

  // Users and their memberships: the fixture owner, admin and member first, then faker's colleagues.
  const addUser = (
    u: {
      uuid: string;
      first_name: string;
      last_name: string;
      email: string;
      level: Level;
      role_at_organization: string | null;
    } & Partial<FixtureKey> & { extra_api_keys?: FixtureKey[] },
  ): User => {
    const id = ++state.sequences.user;
    const joined = pastIso(400);
    const user: User = {
      id,
      uuid: u.uuid,
      distinct_id: faker.string.alphanumeric(32),
      first_name: u.first_name,
      last_name: u.last_name,
      email: u.email,
      is_email_verified: true,
      hedgehog_config: null,
      role_at_organization: u.role_at_organization,
      is_2fa_enabled: faker.datatype.boolean(),
      has_social_auth: faker.datatype.boolean(),
      last_login: betweenIso(joined),
      current_organization_id: org.id,
      personal_api_keys: u.personal_api_key
        ? [
            fixtureKey(faker.string.uuid(), { ...u, personal_api_key: u.personal_api_key }),
            // ids of further keys come from their values, so adding one leaves every faker draw as it was
            ...(u.extra_api_keys ?? []).map((k) => fixtureKey(uuidFrom(k.personal_api_key), k)),
          ]
        : [],
    };
    state.users.set(id, user);
    const membershipId = faker.string.uuid();
    state.memberships.set(membershipId, {
      id: membershipId,
      organization_id: org.id,
      user_id: id,
      level: u.level,
      joined_at: joined,
      updated_at: joined,
    });
    return user;
  };
  for (const u of userFixtures) addUser({ ...u, level: u.level as Level });
  for (let i = 0; i < options.members; i++) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    addUser({
      uuid: faker.string.uuid(),
      first_name: first,
      last_name: last,
      email: faker.internet
        .email({ firstName: first, lastName: last, provider: 'hedgebox.test' })
        .toLowerCase(),
      level: i % 4 === 0 ? 8 : 1,
      role_at_organization: faker.helpers.arrayElement(ROLES_AT_ORG),
    });
  }
  const owner = state.users.get(1)!;
  const userByEmail = (email: string): User => [...state.users.values()].find((u) => u.email === email)!;

  // Projects: fixture projects keep their ids; faker's follow.
  const addProject = (p: {
    id: number;
    uuid: string;
    name: string;
    timezone: string;
    api_token: string;
  }): Project => {
    const created = pastIso(365);
    const project: Project = {
      ...projectSettingsDefaults(),
      id: p.id,
      uuid: p.uuid,
      organization: org.id,
      name: p.name,
      api_token: p.api_token,
      created_at: created,
      updated_at: created,
      timezone: p.timezone,
      ingested_event: true,
      completed_snippet_onboarding: true,
      live_events_token: faker.string.alphanumeric(32),
      secret_api_token: `phs_${faker.string.alphanumeric(35)}`,
      app_urls: [`https://${faker.internet.domainName()}`],
    };
    state.projects.set(project.id, project);
    state.sequences.project = Math.max(state.sequences.project, project.id);
    state.activity.push({
      id: faker.string.uuid(),
      organization_id: org.id,
      team_id: project.id,
      scope: 'Project',
      item_id: String(project.id),
      activity: 'created',
      user_id: owner.id,
      was_impersonated: false,
      is_system: false,
      detail: { changes: null, merge: null, trigger: null, name: project.name, short_id: null, type: null },
      created_at: created,
    });
    return project;
  };
  for (const p of projectFixtures) addProject(p);
  for (let i = 0; i < options.projects; i++) {
    addProject({
      id: state.sequences.project + 1,
      uuid: faker.string.uuid(),
      name: `${faker.company.name()} ${faker.helpers.arrayElement(['App', 'Website', 'Staging', 'API'])}`,
      timezone: faker.helpers.arrayElement(['UTC', 'America/New_York', 'Europe/London', 'Asia/Tokyo']),
      api_token: `phc_${faker.string.alphanumeric(43)}`,
    });
  }

  // Roles with memberships.
  const addRole = (id: string, name: string, memberEmails: string[]): void => {
    const created = pastIso(200);
    state.roles.set(id, {
      id,
      organization_id: org.id,
      name,
      created_at: created,
      created_by_id: owner.id,
      is_default: false,
      feature_flags_access_level: null,
    });
    for (const email of memberEmails) {
      const membershipId = faker.string.uuid();
      const joined = betweenIso(created);
      state.roleMemberships.set(membershipId, {
        id: membershipId,
        role_id: id,
        user_id: userByEmail(email).id,
        joined_at: joined,
        updated_at: joined,
      });
    }
  };
  for (const r of roleFixtures) addRole(r.id, r.name, r.members);
  const takenRoleNames = new Set(roleFixtures.map((r) => r.name.toLowerCase()));
  for (let i = 0; i < options.roles; i++) {
    // faker's names first (a job area, then area + type); faker has only so many, so after a few tries a
    // number makes the name unique: every count of roles seeds, without looping
    let name = faker.person.jobArea();
    for (let tries = 0; takenRoleNames.has(name.toLowerCase()) && tries < ROLE_NAME_TRIES; tries++) {
      name = `${faker.person.jobArea()} ${faker.person.jobType()}`;
    }
    if (takenRoleNames.has(name.toLowerCase())) {
      const base = name;
      for (let n = 2; takenRoleNames.has(name.toLowerCase()); n++) name = `${base} ${n}`;
    }
    takenRoleNames.add(name.toLowerCase());
    addRole(faker.string.uuid(), name, []);
  }

  // Invites: fixtures, then faker's pending invitations.
  const addInvite = (i: {
    id: string;
    target_email: string;
    first_name: string;
    level: Level;
    message: string | null;
  }): void => {
    const created = pastIso(30);
    state.invites.set(i.id, {
      ...i,
      organization_id: org.id,
      emailing_attempt_made: true,
      created_by_id: owner.id,
      created_at: created,
      updated_at: created,
      private_project_access: null,
      send_email: true,
      combine_pending_invites: false,
    });
  };
  for (const i of inviteFixtures) addInvite({ ...i, level: i.level as Level });
  for (let i = 0; i < options.invites; i++) {
    const first = faker.person.firstName();
    addInvite({
      id: faker.string.uuid(),
      target_email: faker.internet.email({ firstName: first }).toLowerCase(),
      first_name: first,
      level: 1,
      message: null,
    });
  }

  // One signed DPA, so the one-document-per-type rule has something to bite on.
  const dpaId = faker.string.uuid();
  state.legalDocuments.set(dpaId, {
    id: dpaId,
    organization_id: org.id,
    document_type: 'DPA',
    company_name: org.name,
    company_address: faker.location.streetAddress({ useFullAddress: true }),
    representative_name: `${owner.first_name} ${owner.last_name}`,
    representative_title: 'CEO',
    representative_email: owner.email,
    dpa_mode: 'pretty',
    status: 'signed',
    signed_document_url: `https://legal.posthog-mock.test/documents/${dpaId}.pdf`,
    created_by_id: owner.id,
    created_at: pastIso(300),
  });

  for (const a of oauthFixtures) {
    const created = pastIso(200);
    state.oauthApplications.set(a.id, { ...a, organization_id: org.id, created, updated: created });
  }

  // Persons: fixture persons first (ids 1..n), kept as data; then each project's generated block.
  const kept = new Map<number, Person>();
  for (const p of personFixtures) {
    const created = pastIso(365);
    const id = ++state.sequences.person;
    kept.set(id, {
      id,
      uuid: p.uuid,
      team_id: p.project,
      distinct_ids: p.distinct_ids,
      properties: p.properties,
      created_at: created,
      timeline: [{ timestamp: created, properties: { ...p.properties } }],
    });
  }
  const blocks: PersonBlock[] = [];
  for (const project of state.projects.values()) {
    const existing = personFixtures.filter((p) => p.project === project.id).length;
    const count = Math.max(0, options.personsPerProject - existing);
    if (count === 0) continue;
    blocks.push({
      team: project.id,
      first: state.sequences.person + 1,
      count,
      fromMicros: (SEED_REFERENCE_MS - 365 * DAY_MS) * 1000,
      spanMicros: 365 * DAY_MS * 1000,
    });
    state.sequences.person += count;
  }
  state.persons = new SeededPersons(options.seed, blocks, kept);

  // Cohorts defined by a property; membership is calculated on first use, as PostHog calculates cohorts
  // periodically (not on every change of a person).
  for (const c of cohortFixtures) {
    const id = ++state.sequences.cohort;
    state.cohorts.set(id, {
      id,
      team_id: c.project,
      name: c.name,
      description: c.description,
      created_at: pastIso(120),
      created_by_id: owner.id,
      is_static: false,
      filters: {
        properties: {
          type: 'OR',
          values: [
            {
              type: 'AND',
              values: [{ key: c.property, type: 'person', value: c.values, operator: 'exact' }],
            },
          ],
        },
      },
      person_ids: [],
      match: { property: c.property, values: c.values },
    });
  }

  for (const p of pluginFixtures) {
    const plugin: Plugin = {
      ...p,
      kind: p.kind as PluginKind,
      config_schema: p.config_schema as PluginConfigField[],
      organization_id: org.id,
      icon: null,
      latest_tag: faker.git.commitSha({ length: 40 }),
    };
    state.plugins.set(plugin.id, plugin);
    state.sequences.plugin = Math.max(state.sequences.plugin, plugin.id);
  }
  for (const c of pluginConfigFixtures) {
    const created = pastIso(90);
    state.pluginConfigs.set(c.id, {
      id: c.id,
      team_id: c.project,
      plugin_id: c.plugin,
      enabled: c.enabled,
      order: c.order,
      config: c.config,
      error: null,
      name: c.name,
      description: state.plugins.get(c.plugin)?.description ?? null,
      deleted: false,
      delivery_rate_24h: c.enabled ? 1 : null,
      created_at: created,
      updated_at: created,
      jobs_run: [],
    });
    state.sequences.pluginConfig = Math.max(state.sequences.pluginConfig, c.id);
  }

  // Former members (fixtures/former-members.json): users who have left the organization keep their
  // account and key but no membership. Seeded last, so they change no other faker draw.
  for (const u of formerMemberFixtures) {
    const user = addUser({ ...u, level: 1 });
    for (const [id, m] of state.memberships) if (m.user_id === user.id) state.memberships.delete(id);
  }
  return state as SeedState;
}

/** A stable UUID-shaped id from a text (a fixture key's value), drawing nothing from faker. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fixture key as the store keeps it: scopes default to everything; restrictions only when given. */
function fixtureKey(id: string, k: FixtureKey): PersonalApiKey {
  return {
    id,
    label: 'posthog-mock fixture key',
    value: k.personal_api_key,
    scopes: k.scopes ?? ['*'],
    last_used_at: null,
    ...(k.scoped_teams ? { scoped_teams: k.scoped_teams } : {}),
    ...(k.scoped_organizations ? { scoped_organizations: k.scoped_organizations } : {}),
  };
}
