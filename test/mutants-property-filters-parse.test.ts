import type { RE2JS } from 're2js';
import { MAX_JSON_DEPTH } from '../src/http/validation';
import { parseProperties, type PropertyFilter } from '../src/resources/property-filters';
import { useMock, validation } from './support/api';

/**
 * src/resources/property-filters.ts, the parsing half (issue 11: each mutant Stryker left alive there now
 * fails here). The seed's tests send a handful of well-formed filters, so the bounds (filters, values,
 * regex characters, JSON nesting), the regex cache, blank and null inputs, numeric keys and the defaults
 * of a missing operator had nothing to bite on.
 */
const api = useMock();
const PERSONS = '/api/projects/1/persons';
const ALICE = '0190a1b2-5001-7000-8000-000000000001';

const list = (properties: string) =>
  api.get(`${PERSONS}/?${new URLSearchParams({ properties, limit: '1000' }).toString()}`);
const filtered = (filters: unknown) => list(JSON.stringify(filters));
const uuids = (res: { body: { results: { uuid: string }[] } }): string[] =>
  res.body.results.map((p) => p.uuid).sort();
const state = () => api.mock.app.store.state;
const byUuid = (uuid: string) => [...state().persons.values()].find((p) => p.uuid === uuid)!;

describe('accepted filters', () => {
  test('an empty or blank properties value filters nothing', async () => {
    const all = uuids(await api.get(`${PERSONS}/?limit=1000`));
    expect(all.length).toBeGreaterThan(1);
    for (const blank of ['', '   ']) {
      const res = await list(blank);
      expect(res.status).toBe(200);
      expect(uuids(res)).toEqual(all);
    }
  });

  test('a numeric key names the property of that name', async () => {
    const alice = state().persons.edit(byUuid(ALICE).id)!;
    alice.properties['7'] = 'seven';
    const res = await filtered([{ key: 7, value: 'seven', type: 'person' }]);
    expect(res.status).toBe(200);
    expect(uuids(res)).toEqual([ALICE]);
  });

  test('a missing, null or empty operator is exact', async () => {
    const email = { key: 'email', value: 'alice@example.com', type: 'person' };
    for (const operator of [undefined, null, '', 'exact']) {
      const res = await filtered([{ ...email, operator }]);
      expect(res.status).toBe(200);
      expect(uuids(res)).toEqual([ALICE]);
    }
  });

  test('only regex operators compile their value: "(" is a fine icontains value', async () => {
    const res = await filtered([{ key: 'email', value: '(', operator: 'icontains', type: 'person' }]);
    expect(res.status).toBe(200);
    expect(uuids(res)).toEqual([]);
    const is = await filtered([{ key: 'email', value: '(', operator: 'is_not', type: 'person' }]);
    expect(is.status).toBe(200);
    expect(is.body.count).toBeGreaterThan(0);
  });

  test('a JSON object with values but no AND/OR type is not a group', async () => {
    const res = await list('{"type": "person", "values": []}');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      validation(
        'invalid_input',
        'Properties have to be a list of objects or a property group.',
        'properties',
      ),
    );
  });

  test.each([
    ['null', 'properties'],
    ['[null]', 'properties__0'],
    ['{"type": "OR", "values": [null]}', 'properties__values__0'],
  ])('properties=%s is 400 on %s', async (properties, attr) => {
    const res = await list(properties);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      validation('invalid_input', 'Properties have to be a list of objects or a property group.', attr),
    );
  });
});

describe('bounds', () => {
  const email = (n: number) =>
    Array.from({ length: n }, () => ({ key: 'email', value: 'alice@example.com' }));

  test(`JSON nested ${MAX_JSON_DEPTH} levels is read, one level more is 400`, async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const deep = await list(nested(MAX_JSON_DEPTH + 1));
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual(
      validation(
        'invalid_input',
        `Nesting deeper than ${MAX_JSON_DEPTH} levels is not allowed.`,
        'properties',
      ),
    );
    // one level less reaches the filters: the inner list is no filter
    const read = await list(nested(MAX_JSON_DEPTH));
    expect(read.status).toBe(400);
    expect(read.body).toEqual(
      validation(
        'invalid_input',
        'Properties have to be a list of objects or a property group.',
        'properties__0',
      ),
    );
  });

  test('200 filters and groups are allowed, 201 are 400', async () => {
    const one = await filtered(email(1));
    expect(uuids(one)).toEqual([ALICE]);
    // a group holding 199 filters: 200 nodes
    const most = await filtered({ type: 'AND', values: email(199) });
    expect(most.status).toBe(200);
    expect(uuids(most)).toEqual([ALICE]);
    const many = await filtered(email(200));
    expect(uuids(many)).toEqual([ALICE]);
    for (const over of [email(201), { type: 'AND', values: email(200) }]) {
      const res = await filtered(over);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        validation('max_length', 'Ensure this field has no more than 200 elements.', 'properties'),
      );
    }
  });

  test('1000 values over all filters are allowed, 1001 are 400 on the filter that goes over', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => (i ? `x${i}` : 'alice@example.com'));
    const filters = (second: number) => [
      { key: 'email', value: values(500), operator: 'in', type: 'person' },
      { key: 'email', value: values(second), operator: 'in', type: 'person' },
    ];
    const most = await filtered(filters(500));
    expect(most.status).toBe(200);
    expect(uuids(most)).toEqual([ALICE]);
    const over = await filtered(filters(501));
    expect(over.status).toBe(400);
    expect(over.body).toEqual(
      validation(
        'max_length',
        'Ensure the values of one filter have no more than 1000 elements in all.',
        'properties__1__value',
      ),
    );
  });

  test('500 regex characters over all filters are allowed, 501 are 400 on the filter that goes over', async () => {
    const first = `${'.?'.repeat(124)}alice`;
    expect(first).toHaveLength(253);
    const filters = (second: number) => [
      { key: 'email', value: first, operator: 'regex', type: 'person' },
      { key: 'email', value: ['x'.repeat(second - 7), 'example'], operator: 'regex', type: 'person' },
    ];
    const most = await filtered(filters(247));
    expect(most.status).toBe(200);
    expect(uuids(most)).toEqual([ALICE]);
    const over = await filtered(filters(248));
    expect(over.status).toBe(400);
    expect(over.body).toEqual(
      validation(
        'max_length',
        'Ensure the regular expressions of one filter have no more than 500 characters in all.',
        'properties__1__value',
      ),
    );
  });
});

describe('the compiled-pattern cache', () => {
  /** the compiled programs of `patterns`, parsed 100 to a filter */
  const compile = (patterns: string[]) => {
    const out: RE2JS[] = [];
    for (let i = 0; i < patterns.length; i += 100) {
      const group = parseProperties([{ key: 'k', operator: 'regex', value: patterns.slice(i, i + 100) }]);
      out.push(...(group.values[0] as PropertyFilter).patterns!);
    }
    return out;
  };
  const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  test('a pattern parsed again reuses its program while 199 others were compiled since', () => {
    const [first] = compile(['kept']);
    compile(named('a', 199));
    expect(compile(['kept'])[0]).toBe(first);
  });

  test('a pattern is compiled anew once 200 others were compiled since', () => {
    const [first] = compile(['evicted']);
    compile(named('b', 200));
    const [again] = compile(['evicted']);
    expect(again).not.toBe(first);
    expect(again!.test('evicted')).toBe(true);
  });

  test('using a pattern makes it the most recently used: the least recently used is evicted', () => {
    const [used] = compile(['used']);
    const [unused] = compile(['c0']);
    compile(named('c', 199).slice(1));
    // 'used' and 198 others since: all 200 are kept
    expect(compile(['used'])[0]).toBe(used);
    compile(['d0']);
    // 'c0' is now the least recently used, so it went, and 'used' stayed
    expect(compile(['used'])[0]).toBe(used);
    expect(compile(['c0'])[0]).not.toBe(unused);
  });
});
