import { DEFAULT_SEED_OPTIONS, seededProjects, type SeedOptions } from '../store/seed';
import { badControl } from './errors';

/** `POST /__mock/seed` takes `{seed, sizes}`; sizes not given take their defaults. */
export interface SeedRequest {
  seed?: number;
  sizes?: Partial<Omit<SeedOptions, 'seed'>>;
}

/** Upper bounds, so no request can make the mock build more than a few seconds of data. */
export const SIZE_LIMITS: Record<keyof Omit<SeedOptions, 'seed'>, number> = {
  members: 1000,
  projects: 100,
  personsPerProject: 10_000,
  roles: 500,
  invites: 1000,
};
/** persons over all projects (the fixture projects 1 and 2 included) */
export const MAX_PERSONS = 20_000;

const isInt = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Checks a seed request and returns the full seed options; a 400 names the field. */
export function seedOptionsFrom(body: unknown): SeedOptions {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badControl('The body must be a JSON object: {"seed": 7, "sizes": {...}}.');
  }
  const { seed, sizes, ...rest } = body as Record<string, unknown>;
  const unknownField = Object.keys(rest)[0];
  if (unknownField !== undefined) {
    throw badControl(`Unknown field "${unknownField}"; use seed and sizes.`, unknownField);
  }
  const options: SeedOptions = { ...DEFAULT_SEED_OPTIONS };
  if (seed !== undefined) {
    if (!isInt(seed, 2 ** 32 - 1))
      throw badControl('seed must be a whole number from 0 to 4294967295.', 'seed');
    options.seed = seed;
  }
  if (sizes !== undefined) {
    if (!sizes || typeof sizes !== 'object' || Array.isArray(sizes)) {
      throw badControl('sizes must be an object such as {"personsPerProject": 50}.', 'sizes');
    }
    for (const [name, value] of Object.entries(sizes)) {
      const limit = SIZE_LIMITS[name as keyof typeof SIZE_LIMITS];
      if (limit === undefined) {
        throw badControl(
          `Unknown size "${name}"; sizes are ${Object.keys(SIZE_LIMITS).join(', ')}.`,
          `sizes__${name}`,
        );
      }
      if (!isInt(value, limit)) {
        throw badControl(`sizes.${name} must be a whole number from 0 to ${limit}.`, `sizes__${name}`);
      }
      options[name as keyof typeof SIZE_LIMITS] = value;
    }
  }
  const persons = seededProjects(options) * options.personsPerProject;
  if (persons > MAX_PERSONS) {
    throw badControl(
      `sizes make ${persons} persons ((projects + 2) × personsPerProject); at most ${MAX_PERSONS}.`,
      'sizes__personsPerProject',
    );
  }
  return options;
}
