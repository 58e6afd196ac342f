import request from 'supertest';
import { createApp } from '../src/app';
import type { StateDocument } from '../src/control/state';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';
import { exportState } from '../src/control/state';
import { KEYS, ORG, useMock, validation } from './support/api';

const api = useMock({ seed: { personsPerProject: 20 } });
const ROLES = `/api/organizations/${ORG}/roles/`;
const PERSONS = '/api/projects/1/persons/';

beforeEach(() => api.mock.reset());

const control = () => request(api.mock.url);
const getState = async (): Promise<StateDocument> => {
  const res = await control().get('/__mock/state');
  expect(res.status).toBe(200);
  return res.body as StateDocument;
};
const putState = (doc: unknown) =>
  control()
    .put('/__mock/state')
    .send(doc as object);

/** a state with writes in it: a new role, a deleted person, a renamed project */
async function changedState(): Promise<StateDocument> {
  expect((await api.post(ROLES, { name: 'Saved scenario role' })).status).toBe(201);
  expect(
    (await api.delete(`${PERSONS}${api.mock.app.store.state.persons.keys().next().value}/`)).status,
  ).toBe(204);
  expect((await api.patch(`/api/organizations/${ORG}/projects/1/`, { name: 'Renamed' })).status).toBe(200);
  return getState();
}

describe('GET /__mock/state', () => {
  test('the whole store as a versioned document', async () => {
    const doc = await getState();
    expect(doc.format).toBe('posthog-mock/state');
    expect(doc.version).toBe(1);
    expect(doc.options).toEqual({ ...DEFAULT_SEED_OPTIONS, personsPerProject: 20 });
    const state = api.mock.app.store.state;
    expect(doc.data.persons).toHaveLength(state.persons.size);
    expect(doc.data.roles.map((r) => r.id)).toEqual([...state.roles.keys()]);
    expect(doc.data.sequences).toEqual(state.sequences);
    expect(Object.keys(doc.data).sort()).toEqual(Object.keys(state).sort());
    expect(api.mock.state()).toEqual(doc);
  });
});

describe('PUT /__mock/state', () => {
  test('round trip: export → import → export is byte-identical, and the API serves the imported state', async () => {
    const saved = await changedState();
    api.mock.reset();
    expect((await getState()).data.roles.some((r) => r.name === 'Saved scenario role')).toBe(false);

    const put = await putState(saved);
    expect(put.status).toBe(204);
    const again = await control().get('/__mock/state');
    expect(again.text).toBe(JSON.stringify(saved));
    const roles = await api.get(`${ROLES}?limit=100`);
    expect((roles.body.results as { name: string }[]).some((r) => r.name === 'Saved scenario role')).toBe(
      true,
    );
    expect((await api.get(`/api/organizations/${ORG}/projects/1/`)).body.name).toBe('Renamed');
  });

  test('a loaded state issues new ids that do not repeat the ones it holds', async () => {
    const saved = await changedState();
    const heldIds = new Set(saved.data.roles.map((r) => r.id));
    const other = createApp({ seed: { personsPerProject: 20 } });
    other.controls.load(saved);
    const res = await request(other)
      .post(ROLES)
      .set('Authorization', `Bearer ${KEYS.owner}`)
      .send({ name: 'Next' });
    expect(res.status).toBe(201);
    expect(heldIds.has(res.body.id as string)).toBe(false);
  });

  test('reset after a load returns to the start, not to the loaded state', async () => {
    const start = await getState();
    const saved = await changedState();
    api.mock.reset();
    api.mock.load(saved);
    expect(api.mock.state()).toEqual(saved);
    expect((await control().post('/__mock/reset')).status).toBe(204);
    expect(await getState()).toEqual(start);
  });

  test('bad documents are 400s naming the problem, and nothing is replaced', async () => {
    const good = await getState();
    const before = JSON.stringify(good);
    const edit = (fn: (d: StateDocument) => void): StateDocument => {
      const d = structuredClone(good);
      fn(d);
      return d;
    };
    const cases: [unknown, string, string | null][] = [
      [[], 'State is invalid: the document must be object.', null],
      [
        edit((d) => ((d as { format: string }).format = 'other')),
        'State is invalid: format must be "posthog-mock/state".',
        'format',
      ],
      [
        { format: 'posthog-mock/state', version: 2 },
        'State is invalid: version must be 1, the version this mock reads.',
        'version',
      ],
      [
        edit((d) => ((d as { version: number }).version = 2)),
        'State is invalid: version must be 1, the version this mock reads.',
        'version',
      ],
      [
        edit((d) => delete (d.data as Partial<StateDocument['data']>).users),
        'State is invalid: data.users is required.',
        'data__users',
      ],
      [
        edit((d) => ((d as unknown as Record<string, unknown>).extra = 1)),
        'State is invalid: extra is not a field the mock keeps.',
        'extra',
      ],
      [
        edit((d) => ((d.data.roles[0] as unknown as Record<string, unknown>).name = 5)),
        'State is invalid: data.roles[0].name must be string.',
        'data__roles__0__name',
      ],
      [
        edit((d) => delete (d.data.persons[2] as Partial<(typeof d.data.persons)[0]>).uuid),
        'State is invalid: data.persons[2].uuid is required.',
        'data__persons__2__uuid',
      ],
      [
        edit((d) => d.data.roles.push(structuredClone(d.data.roles[0]!))),
        `State is invalid: data.roles[${good.data.roles.length}].id repeats id ${JSON.stringify(good.data.roles[0]!.id)}.`,
        `data__roles__${good.data.roles.length}__id`,
      ],
      [
        edit((d) => (d.data.persons[0]!.team_id = 999)),
        'State is invalid: data.persons[0].team_id refers to 999, which is not in data.projects.',
        'data__persons__0__team_id',
      ],
      [
        edit((d) => (d.data.users = d.data.users.filter((u) => u.id !== 1))),
        'State is invalid: data.users needs user 1, the owner that unknown keys act as.',
        'data__users',
      ],
      [
        edit((d) => (d.data.sequences.person = 1)),
        expect.stringMatching(
          /^State is invalid: data\.sequences\.person is 1, below the highest id in data\.persons \(\d+\)\.$/,
        ),
        'data__sequences__person',
      ],
      [
        edit((d) => ((d.options as unknown as Record<string, unknown>).seed = 'x')),
        'State is invalid: options.seed must be integer.',
        'options__seed',
      ],
    ];
    for (const [doc, detail, attr] of cases) {
      const res = await putState(doc);
      expect([attr, res.status]).toEqual([attr, 400]);
      expect(res.body).toEqual(validation('invalid_input', detail as string, attr));
    }
    const broken = await control()
      .put('/__mock/state')
      .set('Content-Type', 'application/json')
      .send('{"format":');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('parse_error');
    const text = await control().put('/__mock/state').set('Content-Type', 'text/plain').send('hi');
    expect(text.status).toBe(415);
    expect(JSON.stringify(await getState())).toBe(before);
  });

  test('the state option starts the app from a document; reset returns to it', async () => {
    const saved = await changedState();
    const app = createApp({ state: saved });
    const first = await request(app).get('/__mock/state');
    expect(first.text).toBe(JSON.stringify(saved));
    await request(app).post(ROLES).set('Authorization', `Bearer ${KEYS.owner}`).send({ name: 'Temporary' });
    await request(app).post('/__mock/reset');
    expect((await request(app).get('/__mock/state')).text).toBe(JSON.stringify(saved));
    expect(() => createApp({ state: { format: 'nope' } })).toThrow(/State is invalid/);
  });
});

describe('POST /__mock/seed', () => {
  test('regenerates the store from {seed, sizes}; unset sizes take their defaults; reset returns to the start', async () => {
    const start = await getState();
    const res = await control()
      .post('/__mock/seed')
      .send({ seed: 7, sizes: { personsPerProject: 4, projects: 0 } });
    expect(res.status).toBe(200);
    const options = { ...DEFAULT_SEED_OPTIONS, seed: 7, personsPerProject: 4, projects: 0 };
    expect(res.body).toEqual({ options });
    const now = await getState();
    expect(now).toEqual(exportState(new Store(options)));
    expect(now.data.persons).toHaveLength(8);
    const persons = await api.get(PERSONS);
    expect(persons.body.count).toBe(4);
    await control().post('/__mock/reset');
    expect(await getState()).toEqual(start);
  });

  test('bad seed requests are 400s naming the field, and nothing changes', async () => {
    const before = JSON.stringify(await getState());
    const cases: [unknown, string | null][] = [
      [[1], null],
      [{ seed: -1 }, 'seed'],
      [{ seed: 1.5 }, 'seed'],
      [{ sizes: [] }, 'sizes'],
      [{ sizes: { people: 3 } }, 'sizes__people'],
      [{ sizes: { personsPerProject: 10_001 } }, 'sizes__personsPerProject'],
      [{ sizes: { projects: 50, personsPerProject: 1000 } }, 'sizes__personsPerProject'],
      [{ seed: 1, colour: 'red' }, 'colour'],
    ];
    for (const [body, attr] of cases) {
      const res = await control()
        .post('/__mock/seed')
        .send(body as object);
      expect([attr, res.status]).toEqual([attr, 400]);
      expect(res.body).toEqual(validation('invalid_input', expect.any(String) as unknown as string, attr));
    }
    expect(JSON.stringify(await getState())).toBe(before);
  });
});
