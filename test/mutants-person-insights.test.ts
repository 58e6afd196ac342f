import { createHash } from 'node:crypto';
import request from 'supertest';
import { useMock, validation } from './support/api';

/**
 * src/resources/person-insights.ts (issue 11: each mutant Stryker left alive now fails here). The resource
 * tests check that the people are deterministic, nested and paginated, but never which people come in
 * which order, so the permutation and the funnel's step sizes could change unnoticed: here they are
 * recomputed from the documented rule (`rank -> (a * rank + b) mod n`, each step keeping 55-85% and at
 * least one fewer). Edge values of the parameter parsers (numbers in other spellings, JSON of the wrong
 * shape, null or empty values, junk pagination) and the CSV cells (missing, null, quoted values) are added.
 */
const api = useMock();
const PERSONS = '/api/projects/1/persons';
const ALICE = '0190a1b2-5001-7000-8000-000000000001';

interface Body {
  results: { people: { id: number; uuid: string; name: string; created_at: string }[]; count: number }[];
  next: string | null;
}
const ids = (res: { body: Body }): number[] => res.body.results[0]!.people.map((p) => p.id);
const enc = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

// --- the documented rule, recomputed --------------------------------------------------------------------
const hash = (text: string): number =>
  parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
const unit = (text: string): number => hash(text) / 2 ** 48;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The people (ids, in order) for `values` (the parsed filter, in the kind's parameter order). */
function expected(
  name: string,
  values: Record<string, unknown>,
  opts: { funnel?: boolean; candidates?: number[]; step?: number } = {},
): number[] {
  const project = [...api.mock.app.store.state.persons.ordered(1)];
  const ids = opts.candidates ? project.filter((id) => opts.candidates!.includes(id)) : project;
  const key = JSON.stringify([name, values]);
  const n = ids.length;
  let a = n > 1 ? 1 + (hash(`${key}:a`) % (n - 1)) : 1;
  while (gcd(a, n) !== 1) a += 1;
  const b = n > 0 ? hash(`${key}:b`) % n : 0;
  const at = (rank: number) => ids[(a * rank + b) % n]!;
  const entered = opts.candidates ? n : Math.round(n * (0.4 + 0.5 * unit(key)));
  const reached = (k: number): number => {
    let m = entered;
    for (let i = 2; i <= k && m > 0; i++) {
      const kept = Math.round(m * (0.55 + 0.3 * unit(`${key}:step${i}`)));
      expect(kept).toBeLessThanOrEqual(m);
      m = Math.min(m - 1, kept);
    }
    return m;
  };
  const step = opts.step ?? 1;
  let from = 0;
  let count = entered;
  if (opts.funnel && step > 0) count = reached(step);
  if (opts.funnel && step < 0) {
    from = reached(-step);
    count = reached(-step - 1) - from;
  }
  return Array.from({ length: Math.max(count, 0) }, (_, rank) => at(from + rank));
}

const personId = (uuid: string) =>
  [...api.mock.app.store.state.persons.values()].find((p) => p.uuid === uuid)!.id;

describe('which people, in which order', () => {
  test('trends: the people and their order follow the filter (a and b drawn from it)', async () => {
    for (const entity of ['x', '$pageview', 'signup', 'a-much-longer-entity-id']) {
      const res = await api.get(`${PERSONS}/trends/?entity_id=${encodeURIComponent(entity)}&limit=1000`);
      const want = expected('trends', { entity_id: entity });
      expect(want.length).toBeGreaterThan(10);
      expect(ids(res)).toEqual(want);
    }
  });

  test('an object-valued filter chooses the people by its content, in key order', async () => {
    const events = [{ type: 'events', id: '$pageview', order: 0 }];
    const res = await api.get(`${PERSONS}/trends/?events=${enc(events)}&limit=1000`);
    const want = expected('trends', { events: [{ id: '$pageview', order: 0, type: 'events' }] });
    expect(want.length).toBeGreaterThan(0);
    expect(ids(res)).toEqual(want);
  });

  test('funnel steps and drop-offs: each step keeps 55-85% of the previous one', async () => {
    for (const step of [1, 2, 3, 4, -2, -3, -4]) {
      const res = await api.get(`${PERSONS}/funnel/?funnel_step=${step}&date_from=-7d&limit=1000`);
      const want = expected('funnel', { date_from: '-7d' }, { funnel: true, step });
      expect([step, ids(res)]).toEqual([step, want]);
    }
    expect(expected('funnel', { date_from: '-7d' }, { funnel: true, step: -3 }).length).toBeGreaterThan(0);
  });

  test('a funnel of a few matching persons runs out of people step by step', async () => {
    const emails = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
    const candidates = [...api.mock.app.store.state.persons.values()]
      .filter((p) => p.team_id === 1 && emails.includes(p.properties.email as string))
      .map((p) => p.id);
    expect(candidates.length).toBeGreaterThan(1);
    const properties = [{ key: 'email', value: emails.slice(0, candidates.length), type: 'person' }];
    for (const step of [1, 2, 3, 4, 5, -2, -3, -4, -5]) {
      const res = await api.get(`${PERSONS}/funnel/?funnel_step=${step}&properties=${enc(properties)}`);
      const want = expected(
        'funnel',
        { properties: { type: 'AND', values: properties.map((p) => ({ ...p, operator: 'exact' })) } },
        { funnel: true, step, candidates },
      );
      expect([step, ids(res)]).toEqual([step, want]);
    }
  });

  test('one matching person: step 2 is empty and so is every later drop-off', async () => {
    const properties = enc([{ key: 'email', value: 'alice@example.com' }]);
    for (const step of [1, 2, 3, 4, -1, -2, -3, -4]) {
      const res = await api.get(`${PERSONS}/funnel/?funnel_step=${step}&properties=${properties}`);
      expect([step, ids(res)]).toEqual([step, [1, -2].includes(step) ? [personId(ALICE)] : []]);
    }
  });

  test('funnel/correlation is not nested: any funnel_step gives every matching person', async () => {
    const properties = enc([{ key: 'plan', value: ['scale', 'enterprise'], type: 'person' }]);
    const one = await api.get(`${PERSONS}/funnel/correlation/?funnel_step=1&properties=${properties}`);
    const three = await api.get(`${PERSONS}/funnel/correlation/?funnel_step=3&properties=${properties}`);
    const matching = [...api.mock.app.store.state.persons.values()].filter(
      (p) => p.team_id === 1 && ['scale', 'enterprise'].includes(p.properties.plan as string),
    );
    expect(matching.length).toBeGreaterThan(2);
    expect(ids(three).sort()).toEqual(matching.map((p) => p.id).sort());
    expect(ids(one).sort()).toEqual(ids(three).sort());
  });

  test('properties=[] is no filter: a share of the persons, as without it', async () => {
    const res = await api.get(`${PERSONS}/trends/?entity_id=x&properties=%5B%5D&limit=1000`);
    const all = [...api.mock.app.store.state.persons.ordered(1)];
    expect(ids(res).length).toBeLessThan(all.length);
    expect(ids(res)).toEqual(expected('trends', { properties: { type: 'AND', values: [] }, entity_id: 'x' }));
  });

  test('an empty string parameter is a value, an empty non-string parameter is absent', async () => {
    const none = await api.get(`${PERSONS}/path/?limit=1000`);
    const empty = await api.get(`${PERSONS}/path/?path_start_key=&limit=1000`);
    expect(ids(empty)).toEqual(expected('path', { path_start_key: '' }));
    expect(ids(none)).toEqual(expected('path', {}));
    expect(ids(empty)).not.toEqual(ids(none));
    const date = await api.get(`${PERSONS}/path/?date_from=&limit=1000`);
    expect(ids(date)).toEqual(ids(none));
  });

  test('dates are trimmed before they choose the people', async () => {
    const spaced = await api.get(`${PERSONS}/trends/?date_from=%202025-05-01%20&limit=1000`);
    expect(spaced.status).toBe(200);
    expect(ids(spaced)).toEqual(expected('trends', { date_from: '2025-05-01' }));
  });
});

describe('parsing the filter', () => {
  test.each(['1e3', '0x15', '2.0', '3abc'])('funnel_step=%s is not an integer', async (value) => {
    const res = await api.get(`${PERSONS}/funnel/?funnel_step=${value}`);
    expect(res.body).toEqual(validation('invalid_input', 'A valid integer is required.', 'funnel_step'));
  });

  test('integers of several digits are read whole', async () => {
    const res = await api.get(`${PERSONS}/path/?step_limit=12&limit=1000`);
    expect(ids(res)).toEqual(expected('path', { step_limit: 12 }));
  });

  test('booleans: JSON true/false and the numbers 1/0 in a body are read, a list is not', async () => {
    const url = `${PERSONS}/funnel/correlation/`;
    const get = await api.get(`${url}?funnel_correlation_person_converted=true&limit=1000`);
    const want = expected('funnel/correlation', { funnel_correlation_person_converted: true });
    expect(ids(get)).toEqual(want);
    const post = await api.post(`${url}?limit=1000`, { funnel_correlation_person_converted: true });
    expect(ids(post)).toEqual(want);
    const one = await api.post(`${url}?limit=1000`, { funnel_correlation_person_converted: 1 });
    expect(ids(one)).toEqual(want);
    for (const value of [['true'], [1], { a: 1 }]) {
      const res = await api.post(url, { funnel_correlation_person_converted: value });
      expect(res.body).toEqual(
        validation('invalid_input', 'Must be a valid boolean.', 'funnel_correlation_person_converted'),
      );
    }
  });

  test('a date that is not a string is refused', async () => {
    const res = await api.post(`${PERSONS}/funnel/`, { date_from: 20250501 });
    expect(res.body).toEqual(
      validation(
        'invalid_input',
        'Date has wrong format. Use one of these formats instead: YYYY-MM-DD, ' +
          'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z], a relative date such as -7d, or all.',
        'date_from',
      ),
    );
  });

  test('JSON nested deeper than 512 levels is refused', async () => {
    const deep = '['.repeat(600) + ']'.repeat(600);
    const res = await api.get(`${PERSONS}/trends/?events=${encodeURIComponent(deep)}`);
    expect(res.body).toEqual(
      validation('invalid_input', 'Nesting deeper than 512 levels is not allowed.', 'events'),
    );
  });

  test.each([
    ['"x"', 'str'],
    ['5', 'int'],
    ['null', 'NoneType'],
  ])('a dictionary parameter given %s is refused', async (json, type) => {
    const res = await api.get(
      `${PERSONS}/funnel/correlation/?funnel_correlation_person_entity=${encodeURIComponent(json)}`,
    );
    expect(res.body).toEqual(
      validation(
        'invalid_input',
        `Expected a dictionary of items but got type "${type}".`,
        'funnel_correlation_person_entity',
      ),
    );
  });

  test('an empty required parameter is missing', async () => {
    const res = await api.get(`${PERSONS}/lifecycle/?target_date=&lifecycle_type=new`);
    expect(res.body).toEqual(validation('required', 'This field is required.', 'target_date'));
  });

  test('null in a POST body is the parameter left out', async () => {
    const without = await api.post(`${PERSONS}/funnel/?limit=1000`, { funnel_step: 2 });
    const withNull = await api.post(`${PERSONS}/funnel/?limit=1000`, { funnel_step: 2, date_from: null });
    expect(withNull.status).toBe(200);
    expect(ids(without).length).toBeGreaterThan(0);
    expect(ids(withNull)).toEqual(ids(without));
  });

  test('a GET reads no body', async () => {
    const plain = await api.get(`${PERSONS}/funnel/?limit=1000`);
    const withBody = await api.call('GET', `${PERSONS}/funnel/?limit=1000`, { body: { funnel_step: 2 } });
    expect(withBody.status).toBe(200);
    expect(ids(plain).length).toBeGreaterThan(0);
    expect(ids(withBody)).toEqual(ids(plain));
  });
});

describe('pagination', () => {
  test('junk limit/offset fall back to the defaults', async () => {
    const plain = await api.get(`${PERSONS}/trends/?entity_id=x`);
    expect(ids(plain).length).toBeGreaterThan(5);
    for (const junk of ['offset=5x', 'offset=5%20x', 'limit=5x&offset=0']) {
      const res = await api.get(`${PERSONS}/trends/?entity_id=x&${junk}`);
      expect([junk, ids(res)]).toEqual([junk, ids(plain)]);
    }
    const list = await api.post(`${PERSONS}/funnel/`, { limit: [2], offset: [1] });
    const first = await api.post(`${PERSONS}/funnel/`, {});
    expect(ids(first).length).toBeGreaterThan(2);
    expect(ids(list)).toEqual(ids(first));
  });

  test('numbers with spaces around are read', async () => {
    const res = await api.get(`${PERSONS}/trends/?entity_id=x&limit=%202%20&offset=%203%20`);
    expect(ids(res)).toEqual(expected('trends', { entity_id: 'x' }).slice(3, 5));
  });

  test('a page ending exactly at the last person has no next', async () => {
    const properties = enc([{ key: 'plan', value: ['scale', 'enterprise'], type: 'person' }]);
    const all = await api.get(`${PERSONS}/trends/?properties=${properties}`);
    const count = ids(all).length;
    expect(count).toBeGreaterThan(1);
    const exact = await api.get(`${PERSONS}/trends/?properties=${properties}&limit=${count}`);
    expect(ids(exact)).toEqual(ids(all));
    expect(exact.body.next).toBeNull();
    const short = await api.get(`${PERSONS}/trends/?properties=${properties}&limit=${count - 1}`);
    expect(short.body.next).not.toBeNull();
  });
});

describe('CSV', () => {
  test('cells: missing and null are empty, objects are JSON, quotes are doubled; keys sorted', async () => {
    const { persons } = api.mock.app.store.state;
    const alice = persons.edit(personId(ALICE))!;
    alice.properties = { zeta: 'say "hi"', alpha: null, nested: { b: 1 }, plain: 'a,b' };
    const bob = [...persons.values()].find((p) => p.team_id === 1 && p.uuid !== ALICE)!;
    persons.edit(bob.id)!.properties = { zeta: 'z', email: 'bob-csv@example.com' };
    const filter = enc({
      type: 'OR',
      values: [
        { key: 'zeta', value: 'say "hi"', type: 'person' },
        { key: 'email', value: 'bob-csv@example.com', type: 'person' },
      ],
    });
    const json = await api.get(`${PERSONS}/trends/?properties=${filter}`);
    const people = (json.body as Body).results[0]!.people;
    expect(people.map((p) => p.uuid).sort()).toEqual([ALICE, bob.uuid].sort());
    const res = await request(api.mock.url)
      .get(`${PERSONS}/trends/?properties=${filter}&format=csv`)
      .set('Authorization', 'Bearer phx_mock_owner_personal_api_key');
    expect(res.status).toBe(200);
    const row = (p: (typeof people)[number]) => {
      const distinct = JSON.stringify(persons.get(p.id)!.distinct_ids).replace(/"/g, '""');
      const cells =
        p.uuid === ALICE
          ? ['', '', '"{""b"":1}"', '"a,b"', '"say ""hi"""']
          : ['', 'bob-csv@example.com', '', '', 'z'];
      return [p.id, p.uuid, p.name, `"${distinct}"`, p.created_at, ...cells].join(',');
    };
    expect(res.text).toBe(
      [
        'id,uuid,name,distinct_ids,created_at,properties.alpha,properties.email,properties.nested,properties.plain,properties.zeta',
        ...people.map(row),
      ].join('\r\n') + '\r\n',
    );
  });
});
