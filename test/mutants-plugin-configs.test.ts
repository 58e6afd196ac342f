import request from 'supertest';
import type { StateDocument } from '../src/control/state';
import { SECRET_FIELD_VALUE } from '../src/resources/plugin-configs';
import type { PluginConfig } from '../src/store/types';
import { expectUnchanged, NOT_FOUND, useMock, validation } from './support/api';

/**
 * src/resources/plugin-configs.ts (issue 11: each mutant Stryker left alive now fails here). The seeded
 * configs have one-digit ids in id order, no two of the same order, every plugin in the one organization,
 * and the resource tests looked at which activity was recorded but not at what it said, so the list's
 * tie-breaks, the id check, the form-field folding edges and the activity's changes had nothing to bite on.
 */
const api = useMock();
const DEST = '/api/projects/1/pipeline_destination_configs';
const OTHER_ORG = '11111111-2222-4333-8444-555555555555';

const stored = (id: number) => api.mock.app.store.state.pluginConfigs.get(id)!;
const ids = (results: { id: number }[]) => results.map((c) => c.id);
const listed = async () => ids((await api.get(`${DEST}/`)).body.results);
/** the PluginConfig activity recorded since the reset: [activity, item_id, detail.name, detail.changes] */
const activity = () =>
  api.mock.app.store.state.activity
    .filter((e) => e.scope === 'PluginConfig')
    .map((e) => [e.activity, e.item_id, e.detail.name, e.detail.changes]);
const changed = (field: string, before: unknown, after: unknown) => ({
  type: 'PluginConfig',
  action: 'changed',
  field,
  before,
  after,
});

/** loads the current state with `edit` applied, through the control plane */
async function loadWith(edit: (doc: StateDocument) => void): Promise<void> {
  const control = request(api.mock.url);
  const doc = (await control.get('/__mock/state')).body as StateDocument;
  edit(doc);
  expect((await control.put('/__mock/state').send(doc)).status).toBe(204);
}

describe('list order', () => {
  test('configs of equal order are listed by plugin id, whichever config is older', async () => {
    // config 3 (plugin 2) takes the order of config 2 (plugin 3), which was created before it
    expect((await api.patch(`${DEST}/3/`, { order: 2 })).status).toBe(200);
    expect([stored(2).order, stored(3).order]).toEqual([2, 2]);
    expect(await listed()).toEqual([1, 3, 2]);
  });

  test('configs of equal order and plugin are listed by id, in whatever order a loaded state holds them', async () => {
    await loadWith((doc) => {
      const seeded = doc.data.pluginConfigs.find((c) => c.id === 1)!;
      const copy = (id: number): PluginConfig => ({ ...seeded, id, order: 9 });
      doc.data.pluginConfigs.push(copy(7), copy(6));
      doc.data.sequences.pluginConfig = 7;
    });
    expect([...api.mock.app.store.state.pluginConfigs.keys()].slice(-2)).toEqual([7, 6]);
    expect(await listed()).toEqual([1, 2, 3, 6, 7]);
  });
});

describe('the id in the path', () => {
  test('an id of two digits is found', async () => {
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const res = await api.post(`${DEST}/`, {
        plugin: 3,
        order: i,
        config: { webhookUrl: 'https://s.example' },
      });
      last = res.body.id;
    }
    expect(last).toBe(10);
    const res = await api.get(`${DEST}/10/`);
    expect([res.status, res.body.id]).toEqual([200, 10]);
  });

  test.each(['1e0', '1.0', '0x1', '0b1'])(
    'an id JavaScript reads as a number but that is not all digits (%s) is 404',
    async (id) => {
      expect(Number(id)).toBe(1);
      const res = await api.get(`${DEST}/${id}/`);
      expect([res.status, res.body]).toEqual([404, NOT_FOUND]);
    },
  );
});

describe('config__<key> form fields', () => {
  test('a form field longer than config__ that does not start with it is not a config value', async () => {
    const res = await api.patch(`${DEST}/1/`, { description: 'From a form' }, { as: 'form' });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('From a form');
    expect(stored(1).config).toEqual({
      url: 'https://hooks.example.com/orders',
      auth_token: 'mock-secret-token',
    });
  });

  test('a form field named config__ alone names no config key', async () => {
    const res = await api.patch(`${DEST}/1/`, { config__: 'nothing' }, { as: 'form' });
    expect(res.status).toBe(200);
    expect(stored(1).config).toEqual({
      url: 'https://hooks.example.com/orders',
      auth_token: 'mock-secret-token',
    });
  });

  test('a form PUT without config or config__ fields keeps the config', async () => {
    const res = await api.put(`${DEST}/1/`, { plugin: '1', order: '4' }, { as: 'form' });
    expect(res.status).toBe(200);
    expect(res.body.order).toBe(4);
    expect(stored(1).config).toEqual({
      url: 'https://hooks.example.com/orders',
      auth_token: 'mock-secret-token',
    });
  });

  test.each([
    ['5', 'int'],
    ['true', 'bool'],
    ['"text"', 'str'],
    ['not json', 'str'],
  ])(
    'a config %j beside config__ fields is refused as it was sent, and nothing changes',
    async (config, type) => {
      const before = api.mock.app.store.snapshot();
      const res = await api.patch(
        `${DEST}/1/`,
        { config, config__url: 'https://field.example' },
        { as: 'form' },
      );
      expect([res.status, res.body]).toEqual([
        400,
        validation('invalid_input', `Expected a dictionary of items but got type "${type}".`, 'config'),
      ]);
      expectUnchanged(api, before);
    },
  );
});

describe('plugins and secrets', () => {
  test('a plugin of another organization is refused like an unknown one, on create and on PUT', async () => {
    await loadWith((doc) => {
      doc.data.organizations.push({ id: OTHER_ORG, name: 'Other Inc.', created_at: '2024-01-01T00:00:00Z' });
      const seeded = doc.data.plugins.find((p) => p.id === 1)!;
      doc.data.plugins.push({ ...seeded, id: 9, organization_id: OTHER_ORG });
      doc.data.sequences.plugin = 9;
    });
    const before = api.mock.app.store.snapshot();
    const expected = validation('does_not_exist', 'Invalid pk "9" - object does not exist.', 'plugin');
    const created = await api.post(`${DEST}/`, { plugin: 9, order: 1, config: { url: 'https://x.example' } });
    expect([created.status, created.body]).toEqual([400, expected]);
    const put = await api.put(`${DEST}/1/`, { plugin: 9, order: 1 });
    expect([put.status, put.body]).toEqual([400, expected]);
    expectUnchanged(api, before);
  });

  test.each([
    ['left out', {}],
    ['sent as null', { auth_token: null }],
    ['sent empty', { auth_token: '' }],
    ['sent as the placeholder', { auth_token: SECRET_FIELD_VALUE }],
  ])('a secret %s with no stored value leaves no key in the stored config', async (_how, secret) => {
    const res = await api.post(`${DEST}/`, {
      plugin: 1,
      order: 1,
      config: { url: 'https://x.example', ...secret },
    });
    expect(res.status).toBe(201);
    expect(res.body.config).toEqual({ url: 'https://x.example' });
    expect(Object.keys(stored(res.body.id).config)).toEqual(['url']);
  });
});

describe('activity', () => {
  test('an update records each changed field, before and after, under the config name', async () => {
    const res = await api.patch(`${DEST}/1/`, { enabled: false, name: 'ERP orders', order: 1 });
    expect(res.status).toBe(200);
    expect(activity()).toEqual([
      [
        'updated',
        '1',
        'ERP orders',
        [changed('enabled', true, false), changed('name', 'Orders webhook', 'ERP orders')],
      ],
    ]);
  });

  test('a config without a name is recorded under its plugin name', async () => {
    const res = await api.post(`${DEST}/`, {
      plugin: 3,
      order: 1,
      config: { webhookUrl: 'https://s.example' },
    });
    expect(res.body.name).toBeNull();
    expect(activity()).toEqual([['created', String(res.body.id), 'Slack Notifications', null]]);
  });

  test('an update that changes no field records nothing', async () => {
    const res = await api.patch(`${DEST}/1/`, { order: 1, enabled: true, name: 'Orders webhook' });
    expect(res.status).toBe(200);
    expect(activity()).toEqual([]);
  });

  test('deleted: true is recorded as deleted, with the config disabled', async () => {
    expect((await api.patch(`${DEST}/2/`, { deleted: true })).status).toBe(200);
    expect(activity()).toEqual([
      ['deleted', '2', 'Slack #signups', [changed('enabled', true, false), changed('deleted', false, true)]],
    ]);
  });

  test('deleted: null leaves the config live and listed', async () => {
    const res = await api.patch(`${DEST}/2/`, { deleted: null });
    expect(res.status).toBe(200);
    expect([res.body.deleted, res.body.enabled]).toEqual([false, true]);
    expect(await listed()).toEqual([1, 2, 3]);
    expect(activity()).toEqual([]);
  });

  test('rearrange records the configs whose order changed, and only them', async () => {
    const updatedAt = stored(1).updated_at;
    const res = await api.patch(`${DEST}/rearrange/`, { orders: { '1': 1, '2': 5 } });
    expect(res.status).toBe(200);
    expect(activity()).toEqual([['updated', '2', 'Slack #signups', [changed('order', 2, 5)]]]);
    expect(stored(1).updated_at).toBe(updatedAt);
  });
});

describe('jobs', () => {
  test("an unknown job type is refused naming the plugin's jobs, comma-separated", async () => {
    const res = await api.post(`${DEST}/3/job/`, { job: { type: 'Nope' } });
    expect([res.status, res.body]).toEqual([
      400,
      validation(
        'invalid_choice',
        '"Nope" is not a job of S3 Export. Its jobs: "Export historical events", "Force flush".',
        'job__type',
      ),
    ]);
  });
});
