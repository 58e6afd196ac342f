import { SECRET_FIELD_VALUE } from '../src/resources/plugin-configs';
import {
  collectPages,
  expectUnchanged,
  NOT_FOUND,
  ORG,
  useMock,
  validation,
  expectFields,
} from './support/api';

const api = useMock();
const DEST = '/api/projects/1/pipeline_destination_configs';
const APPS = '/api/projects/1/pipeline_frontend_apps_configs';
const OTHER_DEST = '/api/projects/2/pipeline_destination_configs';
const NO_FRONTEND = 'export function getFrontendApp () { return {"no_frontend": true} }';

interface ConfigBody {
  id: number;
  plugin: number;
  order: number;
  enabled: boolean;
  config: Record<string, unknown>;
  deleted: boolean;
  name: string | null;
}

const ids = (results: ConfigBody[]) => results.map((c) => c.id);
const stored = (id: number) => api.mock.app.store.state.pluginConfigs.get(id)!;

describe('pipeline destination configs: list and retrieve', () => {
  test('list shows the project destination configs ordered by order then plugin, secrets masked', async () => {
    const res = await api.get(`${DEST}/`);
    expect(res.status).toBe(200);
    expectFields(res.body, { count: 3, next: null, previous: null });
    expect(ids(res.body.results)).toEqual([1, 2, 3]);
    const [webhook, slack, s3] = res.body.results;
    const seeded = stored(1);
    expect(webhook).toEqual({
      id: 1,
      plugin: 1,
      enabled: true,
      order: 1,
      config: { url: 'https://hooks.example.com/orders', auth_token: SECRET_FIELD_VALUE },
      error: null,
      team_id: 1,
      plugin_info: {
        id: 1,
        plugin_type: 'repository',
        name: 'Webhook Destination',
        description: 'Send events to any HTTP endpoint as JSON.',
        url: 'https://github.com/PostHog/webhook-plugin',
        icon: null,
        config_schema: [
          { key: 'url', name: 'Webhook URL', type: 'string', required: true },
          { key: 'auth_token', name: 'Bearer token', type: 'string', secret: true },
        ],
        tag: webhook.plugin_info.latest_tag,
        latest_tag: expect.stringMatching(/^[0-9a-f]{40}$/),
        is_global: false,
        organization_id: ORG,
        organization_name: 'Hedgebox Inc.',
        capabilities: { jobs: ['Export historical events'], methods: ['onEvent'], scheduled_tasks: [] },
        public_jobs: { 'Export historical events': { payload: {} } },
      },
      delivery_rate_24h: 1,
      created_at: seeded.created_at,
      updated_at: seeded.created_at,
      name: 'Orders webhook',
      description: 'Send events to any HTTP endpoint as JSON.',
      deleted: false,
    });
    expect(webhook.plugin_info.latest_tag).toMatch(/^[0-9a-f]{40}$/);
    expect(slack.config).toEqual({ webhookUrl: SECRET_FIELD_VALUE, eventName: 'user signed up' });
    expect(s3.config.awsSecretAccessKey).toBe(SECRET_FIELD_VALUE);
    expect(s3.enabled).toBe(false);
    expect(JSON.stringify(res.body)).not.toMatch(/mock-secret-token|mock-aws-secret|hooks\.slack\.example/);
  });

  test('ties on order fall back to the plugin id; pagination links are absolute', async () => {
    await api.patch(`${DEST}/3/`, { order: 1 });
    await api.patch(`${DEST}/1/`, { order: 1 });
    const res = await api.get(`${DEST}/?limit=2`);
    expect(ids(res.body.results)).toEqual([1, 3]);
    expect(res.body.next).toBe(`${api.mock.url}${DEST}/?limit=2&offset=2`);
    expect(ids((await collectPages(api, `${DEST}/?limit=1`)) as ConfigBody[])).toEqual([1, 3, 2]);
  });

  test('another project has its own (empty) list', async () => {
    const res = await api.get(`${OTHER_DEST}/`);
    expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  test('retrieve answers the same object the list shows', async () => {
    const list = await api.get(`${DEST}/`);
    const res = await api.get(`${DEST}/2/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(list.body.results[1]);
    expect((await api.get(`${DEST}/2`)).body).toEqual(res.body);
  });

  test('unknown, malformed and other-project ids are 404 for every detail route', async () => {
    const created = await api.post(`${OTHER_DEST}/`, {
      plugin: 1,
      order: 1,
      config: { url: 'https://mobile.example.com' },
    });
    expect(created.status).toBe(201);
    const before = api.mock.app.store.snapshot();
    for (const id of ['999', 'abc', '1.5', String(created.body.id)]) {
      expect((await api.get(`${DEST}/${id}/`)).body).toEqual(NOT_FOUND);
      expect((await api.put(`${DEST}/${id}/`, { plugin: 1, order: 1 })).body).toEqual(NOT_FOUND);
      expect((await api.patch(`${DEST}/${id}/`, { order: 5 })).body).toEqual(NOT_FOUND);
      expect((await api.delete(`${DEST}/${id}/`)).body).toEqual(NOT_FOUND);
      expect((await api.get(`${DEST}/${id}/frontend/`)).body).toEqual(NOT_FOUND);
      expect((await api.post(`${DEST}/${id}/job/`, { job: { type: 'Force flush' } })).body).toEqual(
        NOT_FOUND,
      );
    }
    expectUnchanged(api, before);
    expect((await api.get(`${OTHER_DEST}/${created.body.id}/`)).status).toBe(200);
  });
});

describe('pipeline destination configs: create', () => {
  test('create answers 201 with the masked config, stores the secret, and lists it', async () => {
    const res = await api.post(`${DEST}/`, {
      plugin: 1,
      order: 4,
      enabled: true,
      name: 'Billing webhook',
      config: { url: 'https://billing.example.com', auth_token: 'tok-123' },
      id: 77,
      team_id: 9,
      created_at: '2000-01-01T00:00:00Z',
    });
    expect(res.status).toBe(201);
    expectFields(res.body, {
      id: 5,
      plugin: 1,
      order: 4,
      enabled: true,
      team_id: 1,
      name: 'Billing webhook',
      description: null,
      deleted: false,
      error: null,
      delivery_rate_24h: null,
      config: { url: 'https://billing.example.com', auth_token: SECRET_FIELD_VALUE },
    });
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(res.body.updated_at).toBe(res.body.created_at);
    expect(stored(5).config.auth_token).toBe('tok-123');
    expect((await api.get(`${DEST}/5/`)).body).toEqual(res.body);
    expect(ids((await api.get(`${DEST}/`)).body.results)).toEqual([1, 2, 3, 5]);
    const activity = api.mock.app.store.state.activity.filter((e) => e.scope === 'PluginConfig');
    expect(activity.map((e) => [e.activity, e.item_id, e.team_id])).toEqual([['created', '5', 1]]);
  });

  test('enabled defaults to false, name and description to null', async () => {
    const res = await api.post(`${DEST}/`, {
      plugin: 3,
      order: 0,
      config: { webhookUrl: 'https://s.example' },
    });
    expect([res.body.enabled, res.body.name, res.body.description, res.body.deleted]).toEqual([
      false,
      null,
      null,
      false,
    ]);
  });

  test('create with deleted: true stores a deleted, disabled config that no list or retrieve shows', async () => {
    const res = await api.post(`${DEST}/`, {
      plugin: 3,
      order: 0,
      enabled: true,
      deleted: true,
      config: { webhookUrl: 'https://s.example' },
    });
    expect(res.status).toBe(201);
    expect([res.body.deleted, res.body.enabled]).toEqual([true, false]);
    expect([stored(res.body.id).deleted, stored(res.body.id).enabled]).toEqual([true, false]);
    expect(ids((await api.get(`${DEST}/`)).body.results)).toEqual([1, 2, 3]);
    expect((await api.get(`${DEST}/${res.body.id}/`)).body).toEqual(NOT_FOUND);
  });

  test('create accepts form and multipart bodies, with config as JSON text', async () => {
    const form = await api.post(
      `${DEST}/`,
      { plugin: '1', order: '7', enabled: 'true', config: JSON.stringify({ url: 'https://form.example' }) },
      { as: 'form' },
    );
    expect(form.status).toBe(201);
    expectFields(form.body, {
      plugin: 1,
      order: 7,
      enabled: true,
      config: { url: 'https://form.example' },
    });
    const multipart = await api.post(
      `${DEST}/`,
      { plugin: '3', order: '8', config: { webhookUrl: 'https://hooks.example/x' } },
      { as: 'multipart' },
    );
    expect(multipart.status).toBe(201);
    expect(multipart.body.config).toEqual({ webhookUrl: SECRET_FIELD_VALUE });
    expect(stored(multipart.body.id).config.webhookUrl).toBe('https://hooks.example/x');
  });

  test.each([
    [{ order: 1 }, validation('required', 'This field is required.', 'plugin')],
    [{ plugin: 1 }, validation('required', 'This field is required.', 'order')],
    [{ plugin: 'one', order: 1 }, validation('invalid_input', 'A valid integer is required.', 'plugin')],
    [{ plugin: 1, order: 1.5 }, validation('invalid_input', 'A valid integer is required.', 'order')],
    [
      { plugin: 1, order: 2147483648 },
      validation('max_value', 'Ensure this value is less than or equal to 2147483647.', 'order'),
    ],
    [
      { plugin: 99, order: 1 },
      validation('does_not_exist', 'Invalid pk "99" - object does not exist.', 'plugin'),
    ],
    [{ plugin: 4, order: 1 }, validation('invalid_input', 'Plugin 4 is not a destination.', 'plugin')],
    [
      { plugin: 1, order: 1, config: 'url=x' },
      validation('invalid_input', 'Expected a dictionary of items but got type "str".', 'config'),
    ],
    [{ plugin: 1, order: 1 }, validation('required', 'This field is required.', 'config__url')],
    [
      { plugin: 1, order: 1, config: { url: '' } },
      validation('required', 'This field is required.', 'config__url'),
    ],
    [
      {
        plugin: 2,
        order: 1,
        config: { bucket: 'b', awsAccessKey: 'k', awsSecretAccessKey: SECRET_FIELD_VALUE },
      },
      validation('required', 'This field is required.', 'config__awsSecretAccessKey'),
    ],
    [
      { plugin: 1, order: 1, enabled: 'yes', config: { url: 'https://x' } },
      validation('invalid_input', 'Must be a valid boolean.', 'enabled'),
    ],
    [
      { plugin: 1, order: 1, name: 'x'.repeat(401), config: { url: 'https://x' } },
      validation('max_length', 'Ensure this field has no more than 400 characters.', 'name'),
    ],
    [
      { plugin: 1, order: 1, description: 'x'.repeat(1001), config: { url: 'https://x' } },
      validation('max_length', 'Ensure this field has no more than 1000 characters.', 'description'),
    ],
  ])('create rejects %j and changes nothing', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${DEST}/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });
});

describe('pipeline destination configs: update and delete', () => {
  test('PATCH merges config, keeps a secret sent back as the placeholder, and reads back', async () => {
    const current = (await api.get(`${DEST}/1/`)).body;
    const res = await api.patch(`${DEST}/1/`, {
      config: { ...current.config, url: 'https://hooks.example.com/v2' },
      enabled: false,
      description: 'Orders to the ERP',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...current,
      enabled: false,
      description: 'Orders to the ERP',
      config: { url: 'https://hooks.example.com/v2', auth_token: SECRET_FIELD_VALUE },
      updated_at: expect.any(String),
    });
    expect(res.body.updated_at > current.updated_at).toBe(true);
    expect(stored(1).config).toEqual({
      url: 'https://hooks.example.com/v2',
      auth_token: 'mock-secret-token',
    });
    expect((await api.get(`${DEST}/1/`)).body).toEqual(res.body);
    const [entry] = api.mock.app.store.state.activity.filter((e) => e.scope === 'PluginConfig');
    expect(entry!.activity).toBe('updated');
    expect(entry!.detail.changes!.map((c) => c.field)).toEqual(['enabled', 'config', 'description']);
    expect(JSON.stringify(entry!.detail)).not.toContain('mock-secret-token');
  });

  test('PATCH with only other config keys leaves the rest; a new secret value is stored', async () => {
    await api.patch(`${DEST}/3/`, { config: { compression: 'none' } });
    expect(stored(3).config).toEqual({
      bucket: 'hedgebox-events',
      awsAccessKey: 'AKIAMOCK',
      awsSecretAccessKey: 'mock-aws-secret',
      compression: 'none',
    });
    const res = await api.patch(`${DEST}/3/`, { config: { awsSecretAccessKey: 'rotated' } });
    expect(res.body.config.awsSecretAccessKey).toBe(SECRET_FIELD_VALUE);
    expect(stored(3).config.awsSecretAccessKey).toBe('rotated');
  });

  test('a secret sent as null or empty keeps its stored value, on PATCH and PUT', async () => {
    for (const sent of [null, '']) {
      const res = await api.patch(`${DEST}/1/`, { config: { auth_token: sent, url: 'https://n.example' } });
      expect(res.status).toBe(200);
      expect(res.body.config).toEqual({ url: 'https://n.example', auth_token: SECRET_FIELD_VALUE });
      expect(stored(1).config).toEqual({ url: 'https://n.example', auth_token: 'mock-secret-token' });
    }
    const put = await api.put(`${DEST}/3/`, {
      plugin: 2,
      order: 3,
      config: { bucket: 'b', awsAccessKey: 'k', awsSecretAccessKey: null },
    });
    expect(put.status).toBe(200);
    expect(stored(3).config.awsSecretAccessKey).toBe('mock-aws-secret');
  });

  test('PUT replaces config but keeps secrets left out or sent back masked', async () => {
    const res = await api.put(`${DEST}/3/`, {
      plugin: 2,
      order: 9,
      enabled: true,
      config: { bucket: 'new-bucket', awsAccessKey: 'AKIANEW' },
    });
    expect(res.status).toBe(200);
    expect([res.body.order, res.body.enabled, res.body.plugin]).toEqual([9, true, 2]);
    expect(stored(3).config).toEqual({
      bucket: 'new-bucket',
      awsAccessKey: 'AKIANEW',
      awsSecretAccessKey: 'mock-aws-secret',
    });
    const masked = await api.put(`${DEST}/2/`, {
      plugin: 3,
      order: 2,
      config: { webhookUrl: SECRET_FIELD_VALUE },
    });
    expect(masked.body.config).toEqual({ webhookUrl: SECRET_FIELD_VALUE });
    expect(stored(2).config).toEqual({ webhookUrl: 'https://hooks.slack.example/T000/B000' });
  });

  test('PUT cannot move a config to another plugin; the plugin must still exist', async () => {
    const res = await api.put(`${DEST}/1/`, { plugin: 2, order: 1 });
    expect(res.status).toBe(200);
    expect(res.body.plugin).toBe(1);
    const before = api.mock.app.store.snapshot();
    const bad = await api.put(`${DEST}/1/`, { plugin: 42, order: 1 });
    expect(bad.body).toEqual(
      validation('does_not_exist', 'Invalid pk "42" - object does not exist.', 'plugin'),
    );
    expectUnchanged(api, before);
  });

  test.each([
    ['PUT', {}, validation('required', 'This field is required.', 'order')],
    ['PUT', { order: 1 }, validation('required', 'This field is required.', 'plugin')],
    ['PATCH', { order: 'first' }, validation('invalid_input', 'A valid integer is required.', 'order')],
    ['PATCH', { config: { url: '' } }, validation('required', 'This field is required.', 'config__url')],
    ['PATCH', { config: { url: null } }, validation('required', 'This field is required.', 'config__url')],
    [
      'PATCH',
      { config: [] },
      validation('invalid_input', 'Expected a dictionary of items but got type "list".', 'config'),
    ],
    ['PATCH', { enabled: null }, validation('null', 'This field may not be null.', 'enabled')],
  ])('%s rejects %j and changes nothing', async (method, body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.call(method, `${DEST}/1/`, { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('PATCH deleted: true disables the config and it leaves the list', async () => {
    const res = await api.patch(`${DEST}/1/`, { deleted: true, enabled: true });
    expect([res.body.deleted, res.body.enabled]).toEqual([true, false]);
    expect(ids((await api.get(`${DEST}/`)).body.results)).toEqual([2, 3]);
    expect((await api.get(`${DEST}/1/`)).status).toBe(404);
  });

  // PostHog's PluginConfigViewSet.destroy only sets enabled = False
  test('DELETE answers 204 and only disables: still listed and retrievable, deleted stays false', async () => {
    const before = (await api.get(`${DEST}/2/`)).body as ConfigBody;
    expect([before.enabled, before.deleted]).toEqual([true, false]);
    const res = await api.delete(`${DEST}/2/`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect([stored(2).deleted, stored(2).enabled]).toEqual([false, false]);
    expect(ids((await api.get(`${DEST}/`)).body.results)).toEqual([1, 2, 3]);
    const after = (await api.get(`${DEST}/2/`)).body as ConfigBody;
    expect([after.enabled, after.deleted, after.config, after.name]).toEqual([
      false,
      false,
      before.config,
      before.name,
    ]);
    // deleting again is allowed (it is still there) and changes nothing more
    expect((await api.delete(`${DEST}/2/`)).status).toBe(204);
    const entries = api.mock.app.store.state.activity.filter((e) => e.scope === 'PluginConfig');
    expect(entries.map((e) => [e.activity, e.item_id])).toEqual([
      ['deleted', '2'],
      ['deleted', '2'],
    ]);
    // a disabled config can be enabled again
    expect((await api.patch(`${DEST}/2/`, { enabled: true })).body.enabled).toBe(true);
  });
});

describe('pipeline destination configs: rearrange', () => {
  test('rearrange answers the enabled configs in their new order, and the list follows', async () => {
    const extra = await api.post(`${DEST}/`, {
      plugin: 1,
      order: 3,
      enabled: true,
      config: { url: 'https://third.example' },
    });
    const res = await api.patch(`${DEST}/rearrange/`, {
      orders: { '1': 3, '2': 1, [extra.body.id]: 2, '3': 0, '4': 0, '999': 5 },
    });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    // every enabled config of the project, the frontend app (4) too; not the disabled one (3)
    expect(res.body.map((c: ConfigBody) => [c.id, c.order])).toEqual([
      [4, 0],
      [2, 1],
      [extra.body.id, 2],
      [1, 3],
    ]);
    expect(res.body[1].config.webhookUrl).toBe(SECRET_FIELD_VALUE);
    const list = (await api.get(`${DEST}/`)).body.results as ConfigBody[];
    expect(list.map((c) => [c.id, c.order])).toEqual([
      [2, 1],
      [extra.body.id, 2],
      [1, 3], // plugin 1 before plugin 2 on equal order
      [3, 3],
    ]);
    // the disabled config (3) keeps its order; the frontend-app config (4) took its new one
    expect([stored(3).order, stored(4).order]).toEqual([3, 0]);
    expect((await api.get(`${APPS}/`)).body.results[0].order).toBe(0);
  });

  test('rearrange with no orders changes nothing and answers the enabled configs', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${DEST}/rearrange/`, {});
    // PostHog answers all the project's enabled configs: destinations 1, 2 and the frontend app 4
    expect(res.body.map((c: ConfigBody) => c.id)).toEqual([1, 4, 2]);
    expectUnchanged(api, before);
  });

  test('rearrange accepts orders as JSON text in a form body', async () => {
    const res = await api.patch(`${DEST}/rearrange/`, { orders: JSON.stringify({ '1': 5 }) }, { as: 'form' });
    expect(res.body.map((c: ConfigBody) => c.id)).toEqual([4, 2, 1]);
  });

  test.each([
    [
      { orders: [1, 2] },
      validation('invalid_input', 'Expected a dictionary of items but got type "list".', 'orders'),
    ],
    [{ orders: { '1': 'first' } }, validation('invalid_input', 'A valid integer is required.', 'orders__1')],
    [
      { orders: { '2': -2147483649 } },
      validation('min_value', 'Ensure this value is greater than or equal to -2147483648.', 'orders__2'),
    ],
  ])('rearrange rejects %j and changes nothing', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${DEST}/rearrange/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });
});

describe('pipeline destination configs: frontend and jobs', () => {
  test('frontend of a destination answers the no-frontend script as JavaScript', async () => {
    const res = await api.get(`${DEST}/1/frontend/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript; charset=utf-8$/i);
    expect(res.text).toBe(NO_FRONTEND);
  });

  test("frontend of a frontend-app config answers its plugin's source", async () => {
    const res = await api.get(`${DEST}/4/frontend`);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.text).toBe(api.mock.app.store.state.plugins.get(4)!.frontend_source);
    expect(res.text).toContain('export function inject');
  });

  test('job answers 200 with the config and records the run', async () => {
    const res = await api.post(`${DEST}/3/job/`, {
      job: { type: 'Force flush', payload: { dateRange: ['2024-01-01', '2024-01-31'] } },
    });
    expect(res.status).toBe(200);
    expectFields(res.body, { id: 3, plugin: 2 });
    expect(res.body.config.awsSecretAccessKey).toBe(SECRET_FIELD_VALUE);
    expect(stored(3).jobs_run).toEqual([
      { type: 'Force flush', payload: { dateRange: ['2024-01-01', '2024-01-31'] }, at: expect.any(String) },
    ]);
    const [entry] = api.mock.app.store.state.activity.filter((e) => e.scope === 'PluginConfig');
    expectFields(entry, { activity: 'job_triggered', item_id: '3' });
    expectFields(entry!.detail.trigger, { job_type: 'Force flush', payload: expect.any(Object) });
  });

  test('job payload defaults to {} and a form body carries the job as JSON text', async () => {
    const res = await api.post(
      `${DEST}/1/job/`,
      { job: JSON.stringify({ type: 'Export historical events' }) },
      { as: 'form' },
    );
    expect(res.status).toBe(200);
    expect(stored(1).jobs_run.map((j) => [j.type, j.payload])).toEqual([['Export historical events', {}]]);
  });

  test.each([
    [{}, validation('invalid_input', 'The job type must be specified!')],
    [{ job: {} }, validation('invalid_input', 'The job type must be specified!')],
    [{ job: { payload: {} } }, validation('invalid_input', 'The job type must be specified!')],
    [
      { job: 'Force flush' },
      validation('invalid_input', 'Expected a dictionary of items but got type "str".', 'job'),
    ],
    [{ job: { type: 5 } }, validation('invalid_input', 'Not a valid string.', 'job__type')],
    [{ job: { type: '' } }, validation('blank', 'This field may not be blank.', 'job__type')],
    [
      { job: { type: 'Force flush', payload: [] } },
      validation('invalid_input', 'Expected a dictionary of items but got type "list".', 'job__payload'),
    ],
    [
      { job: { type: 'Force flush' } },
      validation(
        'invalid_choice',
        '"Force flush" is not a job of Webhook Destination. Its jobs: "Export historical events".',
        'job__type',
      ),
    ],
  ])('job rejects %j and changes nothing', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${DEST}/1/job/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('a plugin without jobs says so', async () => {
    const res = await api.post(`${DEST}/2/job/`, { job: { type: 'Anything' } });
    expect(res.body).toEqual(
      validation(
        'invalid_choice',
        '"Anything" is not a job of Slack Notifications. Its jobs: none.',
        'job__type',
      ),
    );
  });
});

describe('pipeline frontend-app configs', () => {
  test('list shows only frontend-app configs', async () => {
    const res = await api.get(`${APPS}/`);
    expect(res.body.count).toBe(1);
    expectFields(res.body.results[0], {
      id: 4,
      plugin: 4,
      name: 'Maintenance banner',
      config: { notification: 'Scheduled maintenance on Sunday', backgroundColor: '#ffeeaa' },
    });
    expectFields(res.body.results[0].plugin_info, {
      id: 4,
      name: 'Notification Bar',
      capabilities: { jobs: [], methods: [], scheduled_tasks: [] },
    });
  });

  test('create answers 201, lists under frontend apps and not under destinations', async () => {
    const res = await api.post(`${APPS}/`, {
      plugin: 5,
      order: 2,
      enabled: true,
      config: { buttonText: 'Hi' },
    });
    expect(res.status).toBe(201);
    expectFields(res.body, { plugin: 5, order: 2, enabled: true, config: { buttonText: 'Hi' } });
    expect(ids((await api.get(`${APPS}/`)).body.results)).toEqual([4, res.body.id]);
    expect(ids((await api.get(`${DEST}/`)).body.results)).not.toContain(res.body.id);
    expect((await api.get(`${DEST}/${res.body.id}/`)).body).toEqual(res.body);
  });

  test('create accepts a multipart body', async () => {
    const res = await api.post(
      `${APPS}/`,
      { plugin: '4', order: '3', config: { notification: 'Hello' } },
      { as: 'multipart' },
    );
    expect(res.status).toBe(201);
    expect(res.body.config).toEqual({ notification: 'Hello' });
  });

  test.each([
    [{ plugin: 1, order: 1 }, validation('invalid_input', 'Plugin 1 is not a frontend app.', 'plugin')],
    [{ plugin: 4, order: 1 }, validation('required', 'This field is required.', 'config__notification')],
    [
      { plugin: 0, order: 1 },
      validation('does_not_exist', 'Invalid pk "0" - object does not exist.', 'plugin'),
    ],
  ])('create rejects %j and changes nothing', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${APPS}/`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  // PostHog's frontend-apps configs are a full viewset: retrieve, update and delete too
  test('retrieve, PUT, PATCH and DELETE under pipeline_frontend_apps_configs', async () => {
    const got = await api.get(`${APPS}/4/`);
    expect(got.status).toBe(200);
    expectFields(got.body, { id: 4, plugin: 4, name: 'Maintenance banner' });
    const patched = await api.patch(`${APPS}/4/`, { config: { notification: 'Patched' } });
    expect(patched.body.config).toEqual({ notification: 'Patched', backgroundColor: '#ffeeaa' });
    const put = await api.put(`${APPS}/4/`, { plugin: 4, order: 7, config: { notification: 'Put' } });
    expectFields(put.body, { order: 7, config: { notification: 'Put' } });
    expect((await api.delete(`${APPS}/4/`)).status).toBe(204);
    // deleting disables: the config stays listed and retrievable
    expect((await api.get(`${APPS}/`)).body.results.map((c: ConfigBody) => [c.id, c.enabled])).toEqual([
      [4, false],
    ]);
    expect((await api.get(`${APPS}/4/`)).body.deleted).toBe(false);
  });

  test('frontend-app routes serve frontend-app configs only: a destination id is 404', async () => {
    const before = api.mock.app.store.snapshot();
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'x' }],
      ['PUT', { plugin: 1, order: 1, config: { url: 'https://x.example' } }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api.call(method, `${APPS}/1/`, { body });
      expect([method, res.status, res.body]).toEqual([method, 404, NOT_FOUND]);
    }
    expect((await api.get(`${APPS}/999/`)).body).toEqual(NOT_FOUND);
    expectUnchanged(api, before);
  });
});

/**
 * PostHog's web app sends config values as form fields `config__<key>` (multipart or urlencoded); a secret
 * field sent empty keeps its stored value. JSON `config` keeps working beside them.
 */
describe('pipeline configs: config__<key> form fields', () => {
  test.each(['form', 'multipart'] as const)('create takes config__ fields (%s)', async (as) => {
    const res = await api.post(
      `${DEST}/`,
      { plugin: '1', order: '4', config__url: 'https://form.example', config__auth_token: 's3cret' },
      { as },
    );
    expect(res.status).toBe(201);
    expect(res.body.config).toEqual({ url: 'https://form.example', auth_token: SECRET_FIELD_VALUE });
    expect(stored(res.body.id).config).toEqual({ url: 'https://form.example', auth_token: 's3cret' });
  });

  test.each(['form', 'multipart'] as const)(
    'PATCH with config__ fields changes those keys; an empty secret keeps its stored value (%s)',
    async (as) => {
      const res = await api.patch(
        `${DEST}/1/`,
        { config__url: 'https://changed.example', config__auth_token: '' },
        { as },
      );
      expect(res.status).toBe(200);
      expect(stored(1).config).toEqual({ url: 'https://changed.example', auth_token: 'mock-secret-token' });
    },
  );

  test('config__ fields go over the keys of a config sent beside them as JSON text', async () => {
    const res = await api.patch(
      `${DEST}/1/`,
      {
        config: JSON.stringify({ url: 'https://json.example', auth_token: 'new' }),
        config__url: 'https://field.example',
      },
      { as: 'form' },
    );
    expect(res.status).toBe(200);
    expect(stored(1).config).toEqual({ url: 'https://field.example', auth_token: 'new' });
  });

  test('a required config__ field sent empty is refused like a JSON one, and nothing changes', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.patch(`${DEST}/1/`, { config__url: '' }, { as: 'form' });
    expect([res.status, res.body]).toEqual([
      400,
      validation('required', 'This field is required.', 'config__url'),
    ]);
    const nul = await api.patch(`${DEST}/1/`, { config__url: 'a\u0000b' }, { as: 'form' });
    expect([nul.status, nul.body]).toEqual([
      400,
      validation('null_characters_not_allowed', 'Null characters are not allowed.', 'config__url'),
    ]);
    expectUnchanged(api, before);
  });

  test('in a JSON body config__ keys are not config values (PostHog reads them from form data only)', async () => {
    const res = await api.patch(`${DEST}/1/`, { config__url: 'https://json-body.example' });
    expect(res.status).toBe(200);
    expect(stored(1).config.url).toBe('https://hooks.example.com/orders');
  });
});
