import { exportState } from '../src/control/state';
import { mix32, unmix32 } from '../src/store/people';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';
import type { Person } from '../src/store/types';

/**
 * The store at the sizes of the benchmark's sweep (issue 10): persons are generated on demand, so a world of
 * a million persons per project is made at once, is the same for the same seed, and resets to its seed.
 * Only what a test reads is generated: every check here reads a sample, never the whole world.
 */
const SIZES = [1_000, 10_000, 100_000, 1_000_000];
const options = (personsPerProject: number, seed = 42) => ({
  ...DEFAULT_SEED_OPTIONS,
  seed,
  personsPerProject,
});

/** the first page of project `team` in list order, and a few persons from deep in it */
function sample(store: Store, team: number): Person[] {
  const { persons } = store.state;
  const out: Person[] = [];
  let i = 0;
  for (const id of persons.ordered(team)) {
    if (i < 100 || i % 997 === 0) out.push(persons.get(id)!);
    i += 1;
    if (i > 20_000) break;
  }
  return out;
}

describe.each(SIZES)('%i persons per project', (size) => {
  const store = new Store(options(size));

  test('counts what was asked for, in every seeded project', () => {
    for (const team of [1, 2, 3]) expect(store.state.persons.count(team)).toBe(size);
  });

  test('the same seed gives the same persons, byte for byte; another seed other persons', () => {
    const again = new Store(options(size));
    expect(JSON.stringify(sample(again, 3))).toBe(JSON.stringify(sample(store, 3)));
    expect(JSON.stringify(sample(again, 1))).toBe(JSON.stringify(sample(store, 1)));
    const other = new Store(options(size, 43));
    expect(JSON.stringify(sample(other, 3))).not.toBe(JSON.stringify(sample(store, 3)));
  });

  test('list order: newest created first, the higher id first on a tie', () => {
    const persons = sample(store, 1).slice(0, 100);
    expect(persons).toHaveLength(100);
    for (let i = 1; i < persons.length; i++) {
      const [a, b] = [persons[i - 1]!, persons[i]!];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id)).toBe(true);
    }
  });

  test('every identifier finds its person, without a scan', () => {
    const { persons } = store.state;
    for (const person of sample(store, 3).slice(0, 30)) {
      for (const value of [person.uuid, ...person.distinct_ids]) {
        expect(persons.candidates(3, value).map((p) => p.id)).toContain(person.id);
      }
    }
  });

  test('reset returns to the seed after writes, and costs nothing that grows with the world', () => {
    const world = store.fork();
    const { persons } = world.state;
    const [first] = persons.ordered(3);
    const before = JSON.stringify(persons.get(first!));
    persons.edit(first!)!.properties.plan = 'changed by the test';
    persons.delete(first! - 1);
    world.state.persons.deleteTeam(2);
    expect(persons.get(first!)!.properties.plan).toBe('changed by the test');
    expect(persons.count(2)).toBe(0);
    world.reset();
    expect(JSON.stringify(world.state.persons.get(first!))).toBe(before);
    expect(world.state.persons.has(first! - 1)).toBe(true);
    expect(world.state.persons.count(2)).toBe(size);
    expect(world.snapshot().persons.own.size).toBe(0);
  });
});

test('a world’s state document lists every person the world has (at a size it is sensible to export)', () => {
  const store = new Store(options(1_000));
  const doc = exportState(store);
  expect(doc.data.persons).toHaveLength(3 * 1_000);
  expect(new Set(doc.data.persons.map((p) => p.uuid)).size).toBe(3 * 1_000);
  expect(new Set(doc.data.persons.flatMap((p) => p.distinct_ids)).size).toBe(
    doc.data.persons.reduce((n, p) => n + p.distinct_ids.length, 0),
  );
});

test('the permutation that keys generated identifiers is its own inverse’s inverse', () => {
  for (const x of [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 123456789]) {
    expect(unmix32(mix32(x))).toBe(x >>> 0);
  }
});
