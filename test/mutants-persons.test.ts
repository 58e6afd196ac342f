import { PERSON_TIMELINE_CAP, PERSON_TIMELINE_KEYS_CAP } from '../src/store/store';
import type { Cohort, Person } from '../src/store/types';
import { useMock, validation } from './support/api';

/**
 * src/resources/persons.ts (issue 11: each mutant Stryker left alive now fails here). The seeded persons
 * have one-point timelines and a handful of properties, no two equal values in a tie, no null or empty
 * values, no cohort of another project naming them, so the timeline caps, the values' order and the
 * filters' edges had nothing to bite on. The list's fast paths (a page reads only its persons, a search
 * judges unchanged persons on the cached digest, an exact filter reads only the persons it names) give the
 * same results as the slow ones: they are what lets a list of a million persons per project answer at
 * once, and the tests here hold them by watching which persons the store is asked for.
 */
const api = useMock();
const PERSONS = '/api/projects/1/persons';
const ALICE = '0190a1b2-5001-7000-8000-000000000001';
const BOB = '0190a1b2-5002-7000-8000-000000000002';
const VISITOR = '0190a1b2-5003-7000-8000-000000000003';

const state = () => api.mock.app.store.state;
const byUuid = (uuid: string): Person => [...state().persons.values()].find((p) => p.uuid === uuid)!;
const idOf = (uuid: string): number => byUuid(uuid).id;
const list = (query: Record<string, string>) =>
  api.get(`${PERSONS}/?${new URLSearchParams(query).toString()}`);
const ids = (res: { body: { results: { id: number }[] } }): number[] => res.body.results.map((p) => p.id);
/** project 1's persons in list order */
const ordered = (): Person[] => [...state().persons.ordered(1)].map((id) => state().persons.get(id)!);
/** a generated person of project 1 with an email and a name (not one of the fixture persons) */
const generated = (): Person => {
  const fixtures = new Set([ALICE, BOB, VISITOR]);
  const person = ordered().find((p) => !fixtures.has(p.uuid) && typeof p.properties.email === 'string');
  expect(person).toBeDefined();
  return person!;
};
/** an object with `n` keys */
const keys = (n: number): Record<string, number> => {
  const o: Record<string, number> = {};
  for (let i = 0; i < n; i++) o[`k${i}`] = i;
  return o;
};
const at = (i: number) =>
  `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}Z`;

/** the ids of the persons the store is asked for while `run` runs */
async function readsDuring(run: () => Promise<unknown>): Promise<Set<number>> {
  const { persons } = state();
  const reads = new Set<number>();
  const get = persons.get.bind(persons);
  const spy = jest.spyOn(persons, 'get').mockImplementation((id) => {
    reads.add(id);
    return get(id);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return reads;
}

describe('what the list reads', () => {
  test('an unfiltered page, and one with a blank search, reads no person beyond its page', async () => {
    for (const query of [{ limit: '2' }, { limit: '2', search: '   ' }] as Record<string, string>[]) {
      let page: number[] = [];
      const reads = await readsDuring(async () => {
        const res = await list(query);
        expect(res.body.count).toBe(60);
        page = ids(res);
      });
      expect(page).toHaveLength(2);
      expect([...reads].filter((id) => !page.includes(id))).toEqual([]);
    }
  });

  test('a search judges the persons the world has not changed on their digest, reading none of them', async () => {
    const fixtures = [ALICE, BOB, VISITOR].map(idOf);
    let count = 0;
    const reads = await readsDuring(async () => {
      // past the last page: no person is read to be shown
      count = (await list({ search: 'a', offset: '1000' })).body.count;
    });
    expect(count).toBeGreaterThan(10);
    expect([...reads].filter((id) => !fixtures.includes(id))).toEqual([]);
  });

  test('an exact filter reads only the person its value names, and builds no search digests', async () => {
    const digests = jest.spyOn(state().persons, 'digests');
    try {
      for (const query of [{ distinct_id: 'user-bob' }, { email: 'bob@example.com' }] as Record<
        string,
        string
      >[]) {
        let found: number[] = [];
        const reads = await readsDuring(async () => {
          found = ids(await list(query));
        });
        expect(found).toEqual([idOf(BOB)]);
        expect([...reads]).toEqual([idOf(BOB)]);
      }
      expect(digests).not.toHaveBeenCalled();
    } finally {
      digests.mockRestore();
    }
  });
});

describe('list filters', () => {
  test('an exact filter with a search keeps only the persons the exact filter names', async () => {
    const person = generated();
    const needle = String(person.properties.email).split('@')[1]!; // its domain, which Bob's is not
    expect((await list({ search: needle, limit: '1000' })).body.count).toBeGreaterThan(1);
    expect(ids(await list({ distinct_id: person.distinct_ids[0]!, search: needle }))).toEqual([person.id]);
    expect(ids(await list({ email: String(person.properties.email), search: needle }))).toEqual([person.id]);
    // the person's uuid decodes to the person, but is not one of its distinct ids
    expect((await list({ distinct_id: person.uuid, search: needle })).body.count).toBe(0);
    expect((await list({ distinct_id: 'user-bob', search: needle })).body.count).toBe(0);
    expect(ids(await list({ distinct_id: 'user-bob', search: 'bob' }))).toEqual([idOf(BOB)]);
  });

  test('a search never matches across two fields (email, name, distinct ids)', async () => {
    expect((await list({ search: 'user-alice' })).body.count).toBe(1);
    expect((await list({ search: 'user-aliceanon' })).body.count).toBe(0);
    expect((await list({ search: 'user-alice\nanon' })).body.count).toBe(0);
    const person = generated();
    const [email, name] = [String(person.properties.email), String(person.properties.name).toLowerCase()];
    expect(ids(await list({ search: name }))).toContain(person.id);
    expect((await list({ search: `${email.slice(-4)}\n${name.slice(0, 4)}` })).body.count).toBe(0);
    expect((await list({ search: `${email.slice(-4)}${name.slice(0, 4)}` })).body.count).toBe(0);
  });

  test('a null email or name is not searched as the text "null"', async () => {
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { email: null, name: null } });
    expect(ids(await list({ search: 'anon-only' }))).toEqual([idOf(VISITOR)]);
    expect((await list({ search: 'null' })).body.count).toBe(0);
  });

  test('an empty properties filter keeps everyone', async () => {
    const res = await list({ properties: '', limit: '1000' });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(ordered().map((p) => p.id));
  });

  test('a filtered list is paged by offset and limit', async () => {
    const all = ids(await list({ search: 'a', limit: '1000' }));
    expect(all.length).toBeGreaterThan(4);
    const page = await list({ search: 'a', limit: '2', offset: '1' });
    expect(page.body.count).toBe(all.length);
    expect(ids(page)).toEqual(all.slice(1, 3));
  });
});

describe('properties timeline caps', () => {
  const timelineOf = (uuid: string) => byUuid(uuid).timeline;
  const sizes = (uuid: string) => timelineOf(uuid).map((p) => Object.keys(p.properties).length);

  test(`past ${PERSON_TIMELINE_CAP} points the oldest goes; the range starts at the oldest kept`, async () => {
    expect(PERSON_TIMELINE_CAP).toBe(100);
    state().persons.edit(idOf(ALICE))!.timeline = Array.from({ length: 99 }, (_, i) => ({
      timestamp: at(i),
      properties: { step: i },
    }));
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { plan: 'first' } });
    expect(timelineOf(ALICE)).toHaveLength(100);
    expect(timelineOf(ALICE)[0]!.properties).toEqual({ step: 0 });
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { plan: 'second' } });
    expect(timelineOf(ALICE)).toHaveLength(100);
    expect(
      timelineOf(ALICE)
        .slice(0, 2)
        .map((p) => p.properties),
    ).toEqual([{ step: 1 }, { step: 2 }]);
    const res = await api.get(`${PERSONS}/${ALICE}/properties_timeline/`);
    expect(res.body.points).toHaveLength(100);
    expect(res.body.points[99].properties.plan).toBe('second');
    expect(res.body.effective_date_from).toBe(at(1));
    expect(res.body.effective_date_from).not.toBe(byUuid(ALICE).created_at);
  });

  test(`past ${PERSON_TIMELINE_KEYS_CAP} property entries in all, the oldest points go until it is no more`, async () => {
    expect(PERSON_TIMELINE_KEYS_CAP).toBe(100_000);
    const own = Object.keys(byUuid(ALICE).properties).length + 1; // a point after adding `x`
    const first = 50_000;
    const second = PERSON_TIMELINE_KEYS_CAP - first - own;
    state().persons.edit(idOf(ALICE))!.timeline = [
      { timestamp: at(1), properties: keys(first) },
      { timestamp: at(2), properties: keys(second) },
    ];
    // exactly at the cap: every point stays
    await api.post(`${PERSONS}/${ALICE}/update_property/?key=x&value=1`);
    expect(sizes(ALICE)).toEqual([first, second, own]);
    // one past: the oldest goes, and that is enough
    await api.post(`${PERSONS}/${ALICE}/update_property/?key=x&value=2`);
    expect(sizes(ALICE)).toEqual([second, own, own]);
  });

  test('as many of the oldest points go as it takes to be within the entries cap, and no more', async () => {
    const own = Object.keys(byUuid(BOB).properties).length + 1;
    state().persons.edit(idOf(BOB))!.timeline = [
      { timestamp: at(1), properties: keys(10_000) },
      { timestamp: at(2), properties: keys(50_000) },
      { timestamp: at(3), properties: keys(45_000) },
      { timestamp: at(4), properties: keys(30_000) },
    ];
    await api.post(`${PERSONS}/${BOB}/update_property/?key=x&value=1`);
    expect(sizes(BOB)).toEqual([45_000, 30_000, own]);
  });

  test('the newest point stays, even alone over the entries cap', async () => {
    const person = state().persons.edit(idOf(BOB))!;
    person.properties = keys(PERSON_TIMELINE_KEYS_CAP + 1);
    await api.post(`${PERSONS}/${BOB}/update_property/?key=x&value=1`);
    expect(sizes(BOB)).toEqual([PERSON_TIMELINE_KEYS_CAP + 2]);
  });
});

describe('person actions', () => {
  test('a person split off starts its timeline with one empty point at its creation', async () => {
    await api.post(`${PERSONS}/${ALICE}/split/`, { main_distinct_id: 'anon-7f3a9c2e' });
    const [newcomer] = (await list({ distinct_id: 'user-alice' })).body.results;
    const res = await api.get(`${PERSONS}/${newcomer.id}/properties_timeline/`);
    expect(res.body.points).toEqual([
      { timestamp: newcomer.created_at, properties: {}, relevant_event_count: 1 },
    ]);
    expect(res.body.effective_date_from).toBe(newcomer.created_at);
  });

  test('split of a person without distinct ids leaves it without any, and creates nobody', async () => {
    state().persons.edit(idOf(VISITOR))!.distinct_ids = [];
    expect((await api.post(`${PERSONS}/${VISITOR}/split/`, {})).body).toEqual({ success: true });
    expect((await api.get(`${PERSONS}/${VISITOR}/`)).body.distinct_ids).toEqual([]);
    expect((await list({})).body.count).toBe(60);
  });
});

describe('property values', () => {
  const values = async (query: string) => (await api.get(`${PERSONS}/values/?${query}`)).body;

  test('an empty key counts nothing, even with a person whose property is named ""', async () => {
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { '': 'blank key' } });
    expect(byUuid(VISITOR).properties['']).toBe('blank key');
    expect(await values('key=')).toEqual([]);
  });

  test('a key every JS object inherits is no property of anyone', async () => {
    expect(await values('key=constructor')).toEqual([]);
    expect(await values('key=toString')).toEqual([]);
  });

  test('null and empty values are not counted', async () => {
    await api.patch(`${PERSONS}/${ALICE}/`, { properties: { tier: null } });
    await api.patch(`${PERSONS}/${BOB}/`, { properties: { tier: '' } });
    await api.patch(`${PERSONS}/${VISITOR}/`, { properties: { tier: 'gold' } });
    expect(await values('key=tier')).toEqual([{ name: 'gold', count: 1 }]);
  });

  test('values as common as each other come in the order of their text; equal texts in list order', async () => {
    const persons = ordered().slice(0, 6);
    const tiers = ['c', 5, 'a', '5', 'b', 'a'];
    for (const [i, person] of persons.entries()) {
      await api.patch(`${PERSONS}/${person.id}/`, { properties: { tier: tiers[i] } });
    }
    expect(await values('key=tier')).toEqual([
      { name: 'a', count: 2 },
      { name: 5, count: 1 },
      { name: '5', count: 1 },
      { name: 'b', count: 1 },
      { name: 'c', count: 1 },
    ]);
  });
});

describe('person cohorts', () => {
  test('person_id may not be empty', async () => {
    expect((await api.get(`${PERSONS}/cohorts/?person_id=`)).body).toEqual(
      validation('required', 'This field is required.', 'person_id'),
    );
  });

  test('a cohort of another project naming the person’s id is not among its cohorts', async () => {
    const alice = idOf(ALICE);
    const before = (await api.get(`${PERSONS}/cohorts/?person_id=${alice}`)).body.results;
    expect(before.length).toBeGreaterThan(0);
    const other: Cohort = {
      ...state().cohorts.get(1)!,
      id: 900,
      team_id: 2,
      is_static: true,
      person_ids: [alice],
    };
    delete other.match;
    state().cohorts.set(other.id, other);
    expect(api.mock.app.store.cohortMembers(state().cohorts.get(900)!).has(alice)).toBe(true);
    expect((await api.get(`${PERSONS}/cohorts/?person_id=${alice}`)).body.results).toEqual(before);
  });
});
