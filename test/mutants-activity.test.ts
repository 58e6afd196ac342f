import request from 'supertest';
import type { StateDocument } from '../src/control/state';
import type { ActivityEntry } from '../src/store/types';
import { collectPages, ORG, useMock } from './support/api';

/**
 * src/resources/activity.ts and the log's time order (issue 11: each mutant Stryker left alive now fails
 * here). The seeded log had one entry per project and every recorded entry was the newest, so the order,
 * the organization filter and the paging of the walk had nothing to bite on.
 */
const api = useMock();
const PROJECT_ACTIVITY = `/api/organizations/${ORG}/projects/1/activity/`;
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';

let ids = 0;
const entry = (name: string, created_at: string, organization_id = ORG): ActivityEntry => ({
  id: `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  organization_id,
  team_id: 1,
  scope: 'Project',
  item_id: '1',
  activity: 'updated',
  user_id: null,
  was_impersonated: false,
  is_system: true,
  detail: { changes: null, merge: null, trigger: null, name, short_id: null, type: null },
  created_at,
});
const names = (results: { detail: { name: string } }[]) => results.map((r) => r.detail.name);

async function loadWith(entries: ActivityEntry[]): Promise<void> {
  const control = request(api.mock.url);
  const doc = (await control.get('/__mock/state')).body as StateDocument;
  doc.data.activity = [...doc.data.activity.filter((e) => e.item_id !== '1'), ...entries];
  expect((await control.put('/__mock/state').send(doc)).status).toBe(204);
}

test('a loaded log in any order reads newest first; a write goes before entries dated later than now', async () => {
  await loadWith([
    entry('b', '2025-03-01T00:00:00.000000Z'),
    entry('future', '2999-01-01T00:00:00.000000Z'),
    entry('a', '2025-01-01T00:00:00.000000Z'),
    entry('c', '2025-06-01T00:00:00.000000Z'),
  ]);
  // another organization's entry for the same scope and item (a loaded state could not hold it: no such organization)
  api.mock.app.store.state.activity.push(entry('elsewhere', '2999-06-01T00:00:00.000000Z', OTHER_ORG));
  const first = await api.get(PROJECT_ACTIVITY);
  expect(first.status).toBe(200);
  expect(names(first.body.results)).toEqual(['future', 'c', 'b', 'a']);
  expect(first.body.total_count).toBe(4);

  expect((await api.patch(`/api/organizations/${ORG}/projects/1/`, { name: 'Renamed' })).status).toBe(200);
  const after = await api.get(PROJECT_ACTIVITY);
  expect(names(after.body.results)).toEqual(['future', 'Renamed', 'c', 'b', 'a']);
});

test('pages of one entry walk the same order, page after page, and a page past the end is empty', async () => {
  await loadWith(
    ['e1', 'e2', 'e3', 'e4'].map((name, i) => entry(name, `2025-0${i + 1}-01T00:00:00.000000Z`)).reverse(),
  );
  const one = await collectPages(api, `${PROJECT_ACTIVITY}?limit=1`);
  expect(names(one as never)).toEqual(['e4', 'e3', 'e2', 'e1']);
  const two = await api.get(`${PROJECT_ACTIVITY}?limit=3&page=2`);
  expect(names(two.body.results)).toEqual(['e1']);
  expect(two.body.total_count).toBe(4);
  const past = await api.get(`${PROJECT_ACTIVITY}?limit=3&page=3`);
  expect(past.body.results).toEqual([]);
  expect(past.body.total_count).toBe(4);
});

test('entries of the same time come most recently recorded first', async () => {
  const at = '2025-05-01T00:00:00.000000Z';
  await loadWith([entry('first', at), entry('second', at), entry('older', '2025-04-01T00:00:00.000000Z')]);
  expect(names((await api.get(PROJECT_ACTIVITY)).body.results)).toEqual(['second', 'first', 'older']);
});
