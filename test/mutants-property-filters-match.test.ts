import { matchesProperties, parseProperties } from '../src/resources/property-filters';
import { DEFAULT_SEED_OPTIONS } from '../src/store/seed';
import { Store } from '../src/store/store';

/**
 * src/resources/property-filters.ts, the matching half (issue 11: each mutant Stryker left alive now fails
 * here). The seeded persons have flat string properties, one cohort rule and no null values, so objects
 * and lists, nulls, cohort lists and numeric text had nothing to bite on. The filters are parsed and
 * matched as the persons list and the insights do; the HTTP paths to them are tested in persons.test.ts.
 */
const store = new Store({ ...DEFAULT_SEED_OPTIONS, personsPerProject: 20 });
const [seededCohort] = [...store.state.cohorts.values()].filter((c) => c.team_id === 1);
const members = [...store.cohortMembers(seededCohort!)];
const outsider = [...store.state.persons.ordered(1)].find((id) => !members.includes(id))!;

/** whether a person of project 1 with these properties passes the filters */
const passes = (properties: Record<string, unknown>, filters: unknown, id = 1): boolean =>
  matchesProperties(store, { id, team_id: 1, properties }, parseProperties(JSON.stringify(filters)));
const person = (key: string, operator: string, value: unknown, type = 'person') => [
  { key, operator, value, type },
];

test('the cohorts to check exist: one with members and a person outside it', () => {
  expect(seededCohort).toBeDefined();
  expect(members.length).toBeGreaterThan(0);
  expect(outsider).toBeDefined();
});

describe('exact and is_not compare objects and lists as JSON, other values as text', () => {
  test.each([
    [{ plan: { tier: 'pro' } }, { tier: 'pro' }, true],
    [{ plan: { tier: 'pro' } }, { tier: 'free' }, false],
    [{ plan: 'pro' }, { tier: 'pro' }, false],
    [{ plan: '[object Object]' }, { tier: 'pro' }, false],
    [{ plan: { tier: 'pro' } }, '[object Object]', false],
    [{ plan: ['a', 'b'] }, [['a', 'b']], true],
    [{ plan: 5 }, '5', true],
    [{ plan: true }, 'true', true],
  ])('%j exact %j: %s', (properties, value, expected) => {
    expect(passes(properties, person('plan', 'exact', value))).toBe(expected);
    expect(passes(properties, person('plan', 'is_not', value))).toBe(!expected);
  });
});

test('a regex value that is an object is matched as its JSON', () => {
  expect(passes({ plan: '{"tier":"pro"}' }, person('plan', 'regex', { tier: 'pro' }))).toBe(true);
  expect(passes({ plan: '[object Object]' }, person('plan', 'regex', { tier: 'pro' }))).toBe(false);
  expect(passes({ plan: 'null' }, person('plan', 'regex', [null]))).toBe(true);
});

describe('cohort filters', () => {
  const member = members[0]!;
  test.each([
    ['in', true, false],
    ['exact', true, false],
    ['not_in', false, true],
    ['is_not', false, true],
  ])('%s: a member passes %s, a person outside %s', (operator, forMember, forOutsider) => {
    const filter = [{ key: 'id', operator, value: seededCohort!.id, type: 'cohort' }];
    expect(passes({}, filter, member)).toBe(forMember);
    expect(passes({}, filter, outsider)).toBe(forOutsider);
  });

  test('a list of cohorts is any of them', () => {
    const filter = [{ key: 'id', operator: 'in', value: [999_999, seededCohort!.id], type: 'cohort' }];
    expect(passes({}, filter, member)).toBe(true);
    expect(passes({}, filter, outsider)).toBe(false);
  });
});

test('filter types the mock cannot evaluate (they need events) let everyone pass; person filters do not', () => {
  expect(passes({}, person('$browser', 'exact', 'Chrome', 'element'))).toBe(true);
  expect(passes({}, person('$browser', 'exact', 'Chrome', 'session'))).toBe(true);
  expect(passes({}, person('$browser', 'exact', 'Chrome', 'person'))).toBe(false);
  expect(passes({}, person('$browser', 'exact', 'Chrome', 'event'))).toBe(false);
});

test('a null property is not set: not searched as the text "null"', () => {
  expect(passes({ plan: null }, person('plan', 'is_set', true))).toBe(false);
  expect(passes({ plan: null }, person('plan', 'icontains', 'nul'))).toBe(false);
  expect(passes({ plan: null }, person('plan', 'not_icontains', 'nul'))).toBe(true);
  expect(passes({ plan: null }, person('plan', 'regex', '^$'))).toBe(false);
});

test('icontains reads an object as its JSON, and a missing property has no text', () => {
  expect(passes({ plan: { tier: 'pro' } }, person('plan', 'icontains', '"TIER"'))).toBe(true);
  expect(passes({ plan: { tier: 'pro' } }, person('plan', 'icontains', 'object'))).toBe(false);
  expect(passes({}, person('plan', 'not_regex', 'Stryker'))).toBe(true);
  expect(passes({ plan: 'x' }, person('plan', 'not_regex', '^x$'))).toBe(false);
});

describe('gt, gte, lt, lte compare numbers and numeric text', () => {
  test.each([
    [{ n: 5 }, 'gt', 4, true],
    [{ n: '5' }, 'gt', '4', true],
    [{ n: 5 }, 'gt', ' ', false],
    [{ n: 0 }, 'lt', ' ', false],
    [{ n: 0 }, 'gte', '', false],
    [{ n: ' ' }, 'lte', 0, false],
    [{ n: 5 }, 'gt', [9, 4], true],
    [{ n: 5 }, 'gt', [4, 9], true],
    [{ n: 5 }, 'lt', [4, 9], true],
    [{ n: 5 }, 'gt', 'abc', false],
    [{ n: 'abc' }, 'lt', 9, false],
  ])('%j %s %j: %s', (properties, operator, value, expected) => {
    expect(passes(properties, person('n', operator, value))).toBe(expected);
  });
});

describe('a list of values is any of them', () => {
  test.each([
    [{ s: 'Hedgehog' }, 'icontains', ['zzz', 'HEDGE'], true],
    [{ s: 'Hedgehog' }, 'not_icontains', ['zzz', 'HEDGE'], false],
    [{ s: 'Hedgehog' }, 'not_icontains', ['zzz', 'yyy'], true],
    [{ s: 'Hedgehog' }, 'regex', ['^zzz', '^Hedge'], true],
    [{ s: 'Hedgehog' }, 'not_regex', ['^zzz', '^Hedge'], false],
    [{ d: '2025-05-01T10:00:00Z' }, 'is_date_exact', ['2024-01-01', '2025-05-01'], true],
    [{ d: '2025-05-01T10:00:00Z' }, 'is_date_after', ['2026-01-01', '2025-01-01'], true],
    [{ d: '2025-05-01T10:00:00Z' }, 'is_date_before', ['2025-01-01', '2026-01-01'], true],
  ])('%j %s %j: %s', (properties, operator, value, expected) => {
    const [key] = Object.keys(properties);
    expect(passes(properties, person(key!, operator, value))).toBe(expected);
  });
});

test('an OR group without values lets everyone pass; an AND group without values too', () => {
  expect(passes({}, { type: 'OR', values: [] })).toBe(true);
  expect(passes({}, { type: 'AND', values: [] })).toBe(true);
  expect(passes({}, { type: 'OR', values: [{ key: 'x', value: 'y', type: 'person' }] })).toBe(false);
});
