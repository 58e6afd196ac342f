import { newestFirst, personName, setOwn } from '../src/resources/views';
import type { Person, Project } from '../src/store/types';

/**
 * src/resources/views.ts (issue 11: each mutant Stryker left alive now fails here). The shared views are
 * reached through every resource, but ties in "newest first", a property named like Object's own members
 * and a null display-name property were never among the seeded data.
 */
test('setOwn makes an ordinary own data property (writable, deletable), even named __proto__', () => {
  const object: Record<string, unknown> = {};
  setOwn(object, '__proto__', 1);
  expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(object, '__proto__')).toEqual({
    value: 1,
    writable: true,
    enumerable: true,
    configurable: true,
  });
});

test('newestFirst orders by the key, newest first, and keeps the order of ties', () => {
  const items = [
    { at: '2025-01-02', n: 1 },
    { at: '2025-01-03', n: 2 },
    { at: '2025-01-02', n: 3 },
    { at: '2025-01-01', n: 4 },
    { at: '2025-01-02', n: 5 },
  ];
  expect([...items].sort(newestFirst('at')).map((i) => i.n)).toEqual([2, 1, 3, 5, 4]);
});

test('a null display-name property is skipped, not shown as "null"', () => {
  const person = {
    id: 7,
    distinct_ids: ['d-7'],
    properties: { email: null, name: 'Ada' },
  } as unknown as Person;
  const project = { person_display_name_properties: ['email', 'name'] } as unknown as Project;
  expect(personName(person, project)).toBe('Ada');
  expect(personName({ ...person, properties: { email: null } } as unknown as Person, project)).toBe('d-7');
});
