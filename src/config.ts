import { parseArgs } from 'node:util';
import { MAX_DELAY_MS } from './control/delays';
import { LOG_LEVELS, type LogLevel } from './http/logging';
import { MAX_PERSON_WRITE_DELAY_MS, PROFILES, type ProfileName } from './profiles';
import { DEFAULT_SEED_OPTIONS, seededProjects, type SeedOptions } from './store/seed';

/**
 * The server's settings, each one an option: a flag, the environment variable behind it, a default.
 * Flags beat environment variables, which beat defaults. The CLI's --help and the README's table are
 * made from OPTIONS, so there is one list.
 */
export interface ServerConfig {
  port: number;
  host: string;
  seed: SeedOptions;
  fixtures: string | undefined;
  strictKeys: boolean;
  isolateByKey: boolean;
  maxWorlds: number;
  quiet: boolean;
  /** how long SIGTERM/SIGINT waits for requests in flight before closing their connections */
  shutdownGraceMs: number;
  /** origins a browser may call from; undefined: CORS off */
  cors: string[] | undefined;
  trustProxy: boolean;
  controlPlane: boolean;
  adminToken: string | undefined;
  /** delay of every API response: ms, or [min, max] */
  latency: number | [number, number];
  journalSize: number;
  /** request log level; undefined: info, or silent with --quiet */
  logLevel: LogLevel | undefined;
  /** a state file (exported from GET /__mock/state) to start from instead of seeding */
  state: string | undefined;
  /** answer as PostHog's docs say, or as its live server does where they differ */
  profile: ProfileName;
  /** under the live profile, ms before a person write is applied */
  personWriteDelay: number;
}

/** A flag or variable that cannot be used; the CLI prints the message and exits 2. */
export class ConfigError extends Error {}

type Kind =
  | { type: 'integer'; min: number; max: number }
  | { type: 'string'; placeholder: string; parse?: (text: string, where: string) => unknown }
  | { type: 'boolean' };

interface OptionSpec {
  flag: string;
  env: string;
  kind: Kind;
  default: number | string | boolean | undefined;
  help: string;
}

/**
 * The largest worlds the mock makes. Persons are generated when read, so their numbers cost nothing at
 * start; they are capped so that what must read every person (a `properties` filter, `values`, the first
 * `search`) stays a matter of seconds. The other entities are seeded at start, and capped so that
 * seeding cannot run away.
 */
export const LIMITS = {
  personsPerProject: 1_000_000,
  /** persons over all projects */
  totalPersons: 10_000_000,
  projects: 100,
  members: 10_000,
  roles: 10_000,
  invites: 10_000,
} as const;

const d = DEFAULT_SEED_OPTIONS;
const size = (max: number) => ({ type: 'integer', min: 0, max }) as const;

export const OPTIONS = {
  port: {
    flag: 'port',
    env: 'PORT',
    kind: { type: 'integer', min: 0, max: 65535 },
    default: 8000,
    help: 'port to listen on; 0 picks a free one',
  },
  host: {
    flag: 'host',
    env: 'HOST',
    kind: { type: 'string', placeholder: 'ADDR' },
    default: '127.0.0.1',
    help: 'address to bind (0.0.0.0 in the Docker image)',
  },
  seed: {
    flag: 'seed',
    env: 'POSTHOG_MOCK_SEED',
    kind: { type: 'integer', min: 0, max: 2 ** 32 - 1 },
    default: d.seed,
    help: 'faker seed: the same seed gives the same data',
  },
  members: {
    flag: 'members',
    env: 'POSTHOG_MOCK_MEMBERS',
    kind: size(LIMITS.members),
    default: d.members,
    help: 'members besides the three fixture users',
  },
  projects: {
    flag: 'projects',
    env: 'POSTHOG_MOCK_PROJECTS',
    kind: size(LIMITS.projects),
    default: d.projects,
    help: 'projects besides the fixture projects',
  },
  persons: {
    flag: 'persons',
    env: 'POSTHOG_MOCK_PERSONS',
    kind: size(LIMITS.personsPerProject),
    default: d.personsPerProject,
    help: 'persons per project, fixture persons included',
  },
  roles: {
    flag: 'roles',
    env: 'POSTHOG_MOCK_ROLES',
    kind: size(LIMITS.roles),
    default: d.roles,
    help: 'roles besides the fixture roles',
  },
  invites: {
    flag: 'invites',
    env: 'POSTHOG_MOCK_INVITES',
    kind: size(LIMITS.invites),
    default: d.invites,
    help: 'pending invites besides the fixture invites',
  },
  fixtures: {
    flag: 'fixtures',
    env: 'POSTHOG_MOCK_FIXTURES',
    kind: { type: 'string', placeholder: 'DIR' },
    default: undefined,
    help: "your fixture files, in the format of the package's fixtures/ (each replaces the package's)",
  },
  strictKeys: {
    flag: 'strict-keys',
    env: 'POSTHOG_MOCK_STRICT_KEYS',
    kind: { type: 'boolean' },
    default: false,
    help: 'answer keys that no fixture user owns with 401 (default: any key acts as the owner)',
  },
  isolateByKey: {
    flag: 'isolate-by-key',
    env: 'POSTHOG_MOCK_ISOLATE_BY_KEY',
    kind: { type: 'boolean' },
    default: false,
    help: 'give each personal API key its own copy of the seeded data, made on first use',
  },
  maxWorlds: {
    flag: 'max-worlds',
    env: 'POSTHOG_MOCK_MAX_WORLDS',
    kind: { type: 'integer', min: 1, max: 1_000_000 },
    default: 1000,
    help: 'with --isolate-by-key, worlds kept at most; past it the least recently used is dropped',
  },
  quiet: {
    flag: 'quiet',
    env: 'POSTHOG_MOCK_QUIET',
    kind: { type: 'boolean' },
    default: false,
    help: 'print nothing on start',
  },
  shutdownGraceMs: {
    flag: 'shutdown-grace',
    env: 'POSTHOG_MOCK_SHUTDOWN_GRACE_MS',
    kind: { type: 'integer', min: 0, max: 600_000 },
    default: 5000,
    help: 'on SIGTERM/SIGINT, milliseconds to let requests in flight finish',
  },
  cors: {
    flag: 'cors',
    env: 'POSTHOG_MOCK_CORS',
    kind: { type: 'string', placeholder: 'ORIGINS', parse: (text) => text.split(',').map((o) => o.trim()) },
    default: undefined,
    help: 'let browsers call from these origins (comma-separated, or *); CORS is off otherwise',
  },
  trustProxy: {
    flag: 'trust-proxy',
    env: 'POSTHOG_MOCK_TRUST_PROXY',
    kind: { type: 'boolean' },
    default: false,
    help: 'build next/previous links from X-Forwarded-Host/-Proto (behind a reverse proxy)',
  },
  controlPlane: {
    flag: 'control-plane',
    env: 'POSTHOG_MOCK_CONTROL_PLANE',
    kind: { type: 'boolean' },
    default: true,
    help: 'serve the control plane under /__mock/; --no-control-plane turns it off',
  },
  adminToken: {
    flag: 'admin-token',
    env: 'POSTHOG_MOCK_ADMIN_TOKEN',
    kind: { type: 'string', placeholder: 'TOKEN' },
    default: undefined,
    help: 'require Authorization: Bearer TOKEN on /__mock/',
  },
  latency: {
    flag: 'latency',
    env: 'POSTHOG_MOCK_LATENCY',
    kind: { type: 'string', placeholder: 'MS|MIN-MAX', parse: parseLatency },
    default: 0,
    help: 'delay every API response by MS, or by a seeded draw from MIN to MAX',
  },
  journalSize: {
    flag: 'journal-size',
    env: 'POSTHOG_MOCK_JOURNAL_SIZE',
    kind: { type: 'integer', min: 0, max: 1_000_000 },
    default: 1000,
    help: 'requests the journal keeps (0 turns it off)',
  },
  logLevel: {
    flag: 'log-level',
    env: 'POSTHOG_MOCK_LOG_LEVEL',
    kind: {
      type: 'string',
      placeholder: 'LEVEL',
      parse: (text, where) => {
        if (!(LOG_LEVELS as readonly string[]).includes(text)) {
          throw new ConfigError(`${where} must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
        }
        return text;
      },
    },
    default: undefined,
    help: `one line per request at info (${LOG_LEVELS.join(', ')}; default info, silent with --quiet); JSON unless a terminal`,
  },
  profile: {
    flag: 'profile',
    env: 'POSTHOG_MOCK_PROFILE',
    kind: {
      type: 'string',
      placeholder: 'docs|live',
      parse: (text, where) => {
        if (!(PROFILES as readonly string[]).includes(text)) {
          throw new ConfigError(`${where} must be one of ${PROFILES.join(', ')}, got "${text}"`);
        }
        return text;
      },
    },
    default: 'docs',
    help: "answer as PostHog's docs say, or as live PostHog does where they differ (README: Differences)",
  },
  personWriteDelay: {
    flag: 'person-write-delay',
    env: 'POSTHOG_MOCK_PERSON_WRITE_DELAY_MS',
    kind: { type: 'integer', min: 0, max: MAX_PERSON_WRITE_DELAY_MS },
    default: 0,
    help: 'with --profile live, apply person writes N milliseconds after answering them, as PostHog does',
  },
  state: {
    flag: 'state',
    env: 'POSTHOG_MOCK_STATE',
    kind: { type: 'string', placeholder: 'FILE' },
    default: undefined,
    help: 'start from a state saved with GET /__mock/state instead of seeding (reset returns to it)',
  },
} satisfies Record<string, OptionSpec>;

/** `--latency 200` or `--latency 50-300`, each from 0 to MAX_DELAY_MS */
function parseLatency(text: string, where: string): number | [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const [min, max] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
  if (!m || min > max || max > MAX_DELAY_MS) {
    throw new ConfigError(
      `${where} must be MS or MIN-MAX, whole milliseconds from 0 to ${MAX_DELAY_MS}, got "${text}"`,
    );
  }
  return m[2] === undefined ? min : [min, max];
}

type Name = keyof typeof OPTIONS;
type Source = { value: string | boolean; where: string };

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off', ''];

function convert(spec: OptionSpec, { value, where }: Source): number | string | boolean {
  const kind = spec.kind;
  if (kind.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    const v = value.trim().toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    throw new ConfigError(
      `${where} must be one of ${[...TRUE, ...FALSE.slice(0, -1)].join(', ')}, got "${value}"`,
    );
  }
  const text = String(value);
  if (kind.type === 'string') {
    if (text.trim() === '') throw new ConfigError(`${where} must not be empty`);
    return (kind.parse ? kind.parse(text, where) : text) as string;
  }
  if (!/^\d+$/.test(text) || Number(text) < kind.min || Number(text) > kind.max) {
    throw new ConfigError(`${where} must be a whole number from ${kind.min} to ${kind.max}, got "${text}"`);
  }
  return Number(text);
}

/**
 * The configuration from command-line arguments and the environment. Throws ConfigError naming the flag
 * or variable at fault; returns `{ help: true }` / `{ version: true }` when those were asked for.
 */
export function parseConfig(
  argv: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig | { help: true } | { version: true } {
  const parseOptions: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  };
  for (const spec of Object.values(OPTIONS) as OptionSpec[]) {
    parseOptions[spec.flag] = { type: spec.kind.type === 'boolean' ? 'boolean' : 'string' };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: parseOptions,
      strict: true,
      allowPositionals: false,
      allowNegative: true,
    }));
  } catch (err) {
    throw new ConfigError(argumentError(err as Error & { code?: string }));
  }
  if (values.help) return { help: true };
  if (values.version) return { version: true };

  const out = {} as Record<Name, unknown>;
  for (const [name, spec] of Object.entries(OPTIONS) as [Name, OptionSpec][]) {
    const flag = values[spec.flag];
    const fromEnv = env[spec.env];
    let source: Source | undefined;
    if (flag !== undefined) source = { value: flag, where: `--${spec.flag}` };
    else if (fromEnv !== undefined && fromEnv !== '') source = { value: fromEnv, where: spec.env };
    out[name] = source ? convert(spec, source) : spec.default;
  }
  // the sizes multiply: persons are seeded for every project, the package's two fixture projects included
  const projects = seededProjects({ projects: out.projects as number });
  if ((out.persons as number) * projects > LIMITS.totalPersons) {
    throw new ConfigError(
      `--persons ${String(out.persons)} for each of ${projects} projects is ${(out.persons as number) * projects} persons; ` +
        `at most ${LIMITS.totalPersons} in all (lower --persons or --projects)`,
    );
  }
  if ((out.personWriteDelay as number) > 0 && out.profile !== 'live') {
    throw new ConfigError(
      '--person-write-delay needs --profile live (the docs profile applies writes at once)',
    );
  }
  return {
    port: out.port as number,
    host: out.host as string,
    fixtures: out.fixtures as string | undefined,
    strictKeys: out.strictKeys as boolean,
    isolateByKey: out.isolateByKey as boolean,
    maxWorlds: out.maxWorlds as number,
    quiet: out.quiet as boolean,
    shutdownGraceMs: out.shutdownGraceMs as number,
    cors: out.cors as string[] | undefined,
    trustProxy: out.trustProxy as boolean,
    controlPlane: out.controlPlane as boolean,
    adminToken: out.adminToken as string | undefined,
    latency: out.latency as number | [number, number],
    journalSize: out.journalSize as number,
    logLevel: out.logLevel as LogLevel | undefined,
    state: out.state as string | undefined,
    profile: out.profile as ProfileName,
    personWriteDelay: out.personWriteDelay as number,
    seed: {
      seed: out.seed as number,
      members: out.members as number,
      projects: out.projects as number,
      personsPerProject: out.persons as number,
      roles: out.roles as number,
      invites: out.invites as number,
    },
  };
}

/** util.parseArgs' messages, said with the flag and without Node's error codes. */
function argumentError(err: Error & { code?: string }): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? err.message} (posthog-mock --help lists the options)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return `${flag} needs a value`;
      if (/ambiguous/.test(err.message))
        return `${flag} needs a value (write ${flag}=VALUE for a value that starts with -)`;
      return `${flag} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}: options start with --`;
    default:
      return err.message;
  }
}

/** The --help text: every option with its variable and default, from OPTIONS. */
export function helpText(): string {
  const rows = (Object.values(OPTIONS) as OptionSpec[]).map((spec) => {
    const value =
      spec.kind.type === 'integer' ? ' N' : spec.kind.type === 'string' ? ` ${spec.kind.placeholder}` : '';
    const def =
      spec.default === undefined || spec.default === false
        ? ''
        : spec.default === true
          ? ' (on by default)'
          : ` (default ${String(spec.default)})`;
    return [`--${spec.flag}${value}`, `${spec.help}${def}`, spec.env] as const;
  });
  rows.push(['--help', 'print this help and exit', ''], ['--version', 'print the version and exit', '']);
  const w = Math.max(...rows.map((r) => r[0].length));
  return [
    'Usage: posthog-mock [options]',
    '',
    "An in-memory mock of PostHog's management REST API, seeded with fake but deterministic data.",
    'Flags beat environment variables, which beat defaults. Boolean flags also take a --no- form.',
    '',
    'Options (environment variable in brackets):',
    ...rows.map(([flag, help, env]) => `  ${flag.padEnd(w)}  ${help}${env ? ` [${env}]` : ''}`),
    '',
    'Stop with Ctrl-C or SIGTERM: requests in flight finish first.',
    '',
  ].join('\n');
}
