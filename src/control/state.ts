import Ajv, { type ErrorObject } from 'ajv';
import { ApiError } from '../http/errors';
import type { SeedOptions } from '../store/seed';
import type { Store } from '../store/store';
import { SeededPersons } from '../store/people';
import type { Entities, Person, SeedState, State } from '../store/types';
import { COLLECTIONS, SEQUENCES, STATE_DOCUMENT_SCHEMA } from './state-schema';

export const STATE_FORMAT = 'posthog-mock/state';
export const STATE_VERSION = 1;

type Collection = keyof typeof COLLECTIONS;
type Records = {
  [K in Collection]: K extends keyof Entities ? Entities[K][1][] : K extends 'persons' ? Person[] : State[K];
};

/** The whole store as JSON: what `GET /__mock/state` answers and `PUT /__mock/state` takes back. */
export interface StateDocument {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** the seed options the store was made with; its runtime ids continue from them */
  options: SeedOptions;
  data: Records & { sequences: State['sequences'] };
}

const NAMES = Object.keys(COLLECTIONS) as Collection[];

/** Exports the store's current state. Maps become lists in their order; import restores that order. */
export function exportState(store: Store): StateDocument {
  const data = {} as Record<string, unknown>;
  for (const name of NAMES) {
    const value = store.state[name];
    data[name] = Array.isArray(value) ? value : [...value.values()];
  }
  // a seeded cohort's members are calculated from its rule: the document lists them
  data.cohorts = [...store.state.cohorts.values()].map(({ match, ...cohort }) => ({
    ...cohort,
    person_ids: match
      ? [...store.cohortMembers({ ...cohort, match })].filter((id) => store.state.persons.has(id))
      : cohort.person_ids,
  }));
  data.sequences = store.state.sequences;
  // one structured copy, so the document never shares objects with the live store
  return structuredClone({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    options: { ...store.options },
    data,
  }) as StateDocument;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validateDocument = ajv.compile(STATE_DOCUMENT_SCHEMA);

const invalid = (detail: string, attr: string | null): ApiError =>
  new ApiError(400, 'validation_error', 'invalid_input', detail, attr);

const where = (segments: (string | number)[]): { dotted: string; attr: string | null } => ({
  dotted:
    segments
      .map((s, i) => (typeof s === 'number' || /^\d+$/.test(String(s)) ? `[${s}]` : i === 0 ? s : `.${s}`))
      .join('') || 'the document',
  attr: segments.length ? segments.join('__') : null,
});

function schemaError(error: ErrorObject): ApiError {
  const segments: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') {
    const at = where([...segments, (error.params as { missingProperty: string }).missingProperty]);
    return invalid(`State is invalid: ${at.dotted} is required.`, at.attr);
  }
  if (error.keyword === 'additionalProperties') {
    const at = where([...segments, (error.params as { additionalProperty: string }).additionalProperty]);
    return invalid(`State is invalid: ${at.dotted} is not a field the mock keeps.`, at.attr);
  }
  const at = where(segments);
  return invalid(`State is invalid: ${at.dotted} ${error.message ?? 'is not valid'}.`, at.attr);
}

/**
 * Checks an exported document and turns it back into seed options and a `State`; a 400 names the first
 * problem (its JSON path in `detail`, `__`-joined in `attr`), and nothing is replaced.
 * Past the schema, it checks what the handlers rely on: unique ids, references that resolve, the owner
 * (user 1) that unknown keys act as, and sequences at or above the highest id they issued.
 */
export function importState(document: unknown): { options: SeedOptions; state: SeedState } {
  // format and version first: a document of another kind or version fails on that, not on its fields
  if (document && typeof document === 'object' && !Array.isArray(document)) {
    const { format, version } = document as Record<string, unknown>;
    if (format !== STATE_FORMAT) {
      throw invalid(`State is invalid: format must be "${STATE_FORMAT}".`, 'format');
    }
    if (version !== STATE_VERSION) {
      throw invalid(
        `State is invalid: version must be ${STATE_VERSION}, the version this mock reads.`,
        'version',
      );
    }
  }
  if (!validateDocument(document)) throw schemaError(validateDocument.errors![0]!);
  const doc = document as unknown as StateDocument;
  const d = doc.data;

  const ids = {} as Record<Collection, Set<unknown>>;
  for (const name of NAMES) {
    if (name === 'activity') continue;
    const seen = new Set<unknown>();
    (d[name] as unknown as { id: unknown }[]).forEach((record, i) => {
      if (seen.has(record.id)) {
        const at = where(['data', name, i, 'id']);
        throw invalid(`State is invalid: ${at.dotted} repeats id ${JSON.stringify(record.id)}.`, at.attr);
      }
      seen.add(record.id);
    });
    ids[name] = seen;
  }

  if (!ids.users.has(1)) {
    throw invalid(
      'State is invalid: data.users needs user 1, the owner that unknown keys act as.',
      'data__users',
    );
  }

  const refer = (name: Collection, field: string, target: Collection): void => {
    (d[name] as unknown as Record<string, unknown>[]).forEach((record, i) => {
      const value = record[field];
      if (!ids[target].has(value)) {
        const at = where(['data', name, i, field]);
        throw invalid(
          `State is invalid: ${at.dotted} refers to ${JSON.stringify(value)}, which is not in data.${target}.`,
          at.attr,
        );
      }
    });
  };
  refer('users', 'current_organization_id', 'organizations');
  refer('memberships', 'organization_id', 'organizations');
  refer('memberships', 'user_id', 'users');
  refer('projects', 'organization', 'organizations');
  refer('roles', 'organization_id', 'organizations');
  refer('roleMemberships', 'role_id', 'roles');
  refer('roleMemberships', 'user_id', 'users');
  refer('invites', 'organization_id', 'organizations');
  refer('legalDocuments', 'organization_id', 'organizations');
  refer('oauthApplications', 'organization_id', 'organizations');
  refer('activity', 'organization_id', 'organizations');
  refer('persons', 'team_id', 'projects');
  refer('cohorts', 'team_id', 'projects');
  refer('plugins', 'organization_id', 'organizations');
  refer('pluginConfigs', 'team_id', 'projects');
  refer('pluginConfigs', 'plugin_id', 'plugins');

  const highest: Record<(typeof SEQUENCES)[number], Collection> = {
    user: 'users',
    project: 'projects',
    person: 'persons',
    cohort: 'cohorts',
    plugin: 'plugins',
    pluginConfig: 'pluginConfigs',
  };
  for (const sequence of SEQUENCES) {
    const max = (d[highest[sequence]] as unknown as { id: number }[]).reduce((m, r) => Math.max(m, r.id), 0);
    if (d.sequences[sequence] < max) {
      throw invalid(
        `State is invalid: data.sequences.${sequence} is ${d.sequences[sequence]}, below the highest id in data.${highest[sequence]} (${max}).`,
        `data__sequences__${sequence}`,
      );
    }
  }

  const copy = structuredClone(d);
  const state = {} as Record<string, unknown>;
  for (const name of NAMES) {
    const records = copy[name] as { id: unknown }[];
    state[name] = name === 'activity' ? records : new Map(records.map((r) => [r.id, r]));
  }
  // an imported state's persons are all kept as data: nothing is generated
  state.persons = new SeededPersons(doc.options.seed, [], state.persons as Map<number, Person>);
  state.sequences = copy.sequences;
  return { options: { ...doc.options }, state: state as unknown as SeedState };
}
