import { DEFAULT_SEED_OPTIONS, type SeedOptions } from './store/seed';

export interface ServerConfig {
  port: number;
  host: string;
  seed: SeedOptions;
  strictKeys: boolean;
}

/** Environment variables the server reads, with their defaults; the README lists the same table. */
export const ENVIRONMENT = {
  PORT: 'port to listen on (default 8000; 0 picks a free port)',
  HOST: 'address to bind (default 127.0.0.1; 0.0.0.0 in the Docker image)',
  POSTHOG_MOCK_SEED: `faker seed (default ${DEFAULT_SEED_OPTIONS.seed})`,
  POSTHOG_MOCK_MEMBERS: `members besides the three fixture users (default ${DEFAULT_SEED_OPTIONS.members})`,
  POSTHOG_MOCK_PROJECTS: `projects besides fixture projects 1 and 2 (default ${DEFAULT_SEED_OPTIONS.projects})`,
  POSTHOG_MOCK_PERSONS: `persons per project (default ${DEFAULT_SEED_OPTIONS.personsPerProject})`,
  POSTHOG_MOCK_ROLES: `roles besides the fixture roles (default ${DEFAULT_SEED_OPTIONS.roles})`,
  POSTHOG_MOCK_INVITES: `invites besides the fixture invites (default ${DEFAULT_SEED_OPTIONS.invites})`,
  POSTHOG_MOCK_STRICT_KEYS:
    'set to 1 to reject API keys no seeded user owns (default: any key acts as the owner)',
} as const;

function integer(env: NodeJS.ProcessEnv, name: keyof typeof ENVIRONMENT, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const d = DEFAULT_SEED_OPTIONS;
  return {
    port: integer(env, 'PORT', 8000),
    host: env.HOST || '127.0.0.1',
    strictKeys: ['1', 'true', 'yes'].includes((env.POSTHOG_MOCK_STRICT_KEYS ?? '').toLowerCase()),
    seed: {
      seed: integer(env, 'POSTHOG_MOCK_SEED', d.seed),
      members: integer(env, 'POSTHOG_MOCK_MEMBERS', d.members),
      projects: integer(env, 'POSTHOG_MOCK_PROJECTS', d.projects),
      personsPerProject: integer(env, 'POSTHOG_MOCK_PERSONS', d.personsPerProject),
      roles: integer(env, 'POSTHOG_MOCK_ROLES', d.roles),
      invites: integer(env, 'POSTHOG_MOCK_INVITES', d.invites),
    },
  };
}
