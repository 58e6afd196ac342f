import fs from 'node:fs';
import path from 'node:path';
import { error, expectUnchanged, KEYS, NOT_FOUND, ORG, useMock, validation } from './support/api';

const api = useMock();
/** a BAA with every field PostHog requires on create */
const COMPLETE = {
  document_type: 'BAA',
  company_name: 'Hedgebox Inc.',
  company_address: '1 Main St',
  representative_email: 'ada@hedgebox.test',
};
const DOCS = `/api/organizations/${ORG}/legal_documents`;
const OAUTH = `/api/organizations/${ORG}/oauth_applications`;

describe('legal documents', () => {
  test('list and retrieve the seeded signed DPA', async () => {
    const list = await api.get(`${DOCS}/`);
    expect(list.body.count).toBe(1);
    const dpa = list.body.results[0];
    expect(dpa).toEqual({
      id: expect.any(String),
      document_type: 'DPA',
      company_name: 'Hedgebox Inc.',
      representative_name: expect.any(String),
      representative_email: expect.any(String),
      status: 'signed',
      signed_document_url: expect.stringMatching(/^https:\/\//),
      created_by: { first_name: expect.any(String), email: 'owner@hedgebox.test' },
      created_at: expect.any(String),
    });
    expect((await api.get(`${DOCS}/${dpa.id}/`)).body).toEqual(dpa);
  });

  test('create a BAA: 201, submitted for signature, reads back', async () => {
    const res = await api.post(DOCS, {
      document_type: 'BAA',
      company_name: 'Hedgebox Inc.',
      company_address: '1 Main St',
      representative_name: 'Ada Owner',
      representative_title: 'CEO',
      representative_email: 'ada@hedgebox.test',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      document_type: 'BAA',
      company_name: 'Hedgebox Inc.',
      representative_name: 'Ada Owner',
      representative_email: 'ada@hedgebox.test',
      status: 'submitted_for_signature',
      signed_document_url: null,
      created_by: { first_name: 'Olivia', email: 'owner@hedgebox.test' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    expect((await api.get(`${DOCS}/${res.body.id}`)).body).toEqual(res.body);
    const list = await api.get(DOCS);
    expect(list.body.count).toBe(2);
    expect(list.body.results[0]).toEqual(res.body); // newest first
    // one BAA per organization
    const before = api.mock.app.store.snapshot();
    const again = await api.post(DOCS, { ...COMPLETE, document_type: 'BAA', company_name: 'Again' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(
      validation(
        'invalid_input',
        'Your organization already has a BAA. Contact support if you need a new one.',
        'document_type',
      ),
    );
    expectUnchanged(api, before);
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'document_type')],
    [
      { ...COMPLETE, document_type: 'NDA' },
      validation('invalid_choice', '"NDA" is not a valid choice.', 'document_type'),
    ],
    [
      { ...COMPLETE, representative_email: 'nope' },
      validation('invalid_input', 'Enter a valid email address.', 'representative_email'),
    ],
    [
      { ...COMPLETE, document_type: 'DPA' },
      validation(
        'invalid_input',
        'Your organization already has a DPA. Contact support if you need a new one.',
        'document_type',
      ),
    ],
  ])('create rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(DOCS, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  // PostHog's LegalDocumentSerializer requires company_name, company_address and representative_email
  // (the docs do not say so); LegalDocumentRequest.json says it too
  test.each(['company_name', 'company_address', 'representative_email'])(
    'create without %s → 400 required; blank → 400 blank; null → 400 null; with all three → 201',
    async (field) => {
      const before = api.mock.app.store.snapshot();
      const without: Record<string, string> = { ...COMPLETE };
      delete without[field];
      for (const [body, expected] of [
        [without, validation('required', 'This field is required.', field)],
        [{ ...COMPLETE, [field]: '' }, validation('blank', 'This field may not be blank.', field)],
        [{ ...COMPLETE, [field]: null }, validation('null', 'This field may not be null.', field)],
      ] as const) {
        const res = await api.post(DOCS, body);
        expect([res.status, res.body]).toEqual([400, expected]);
      }
      expectUnchanged(api, before);
      expect((await api.post(DOCS, COMPLETE)).status).toBe(201);
    },
  );

  test('LegalDocumentRequest.json requires the three fields PostHog requires', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../schemas/LegalDocumentRequest.json'), 'utf8'),
    ) as { required: string[] };
    expect([...schema.required].sort()).toEqual(
      ['company_address', 'company_name', 'document_type', 'representative_email'].sort(),
    );
  });

  test('only admins and owners read and create documents', async () => {
    const denied = error(
      'authentication_error',
      'permission_denied',
      'Your organization access level is insufficient.',
    );
    const seeded = [...api.mock.app.store.state.legalDocuments.values()][0]!;
    expect(seeded).toBeDefined();
    const before = api.mock.app.store.snapshot();
    for (const [method, url, body] of [
      ['GET', `${DOCS}/`, undefined],
      ['GET', `${DOCS}/${seeded.id}/`, undefined],
      ['POST', `${DOCS}/`, { document_type: 'BAA' }],
    ] as const) {
      const res = await api.call(method, url, { key: KEYS.member, body });
      expect([method, url, res.status, res.body]).toEqual([method, url, 403, denied]);
    }
    expectUnchanged(api, before);
    expect((await api.get(`${DOCS}/`, { key: KEYS.admin })).body.count).toBe(1);
    expect((await api.get(`${DOCS}/${seeded.id}/`, { key: KEYS.admin })).body.id).toBe(seeded.id);
    const created = await api.post(
      DOCS,
      {
        document_type: 'BAA',
        company_name: 'Hedgebox Inc.',
        company_address: '1 Main St',
        representative_email: 'adam@hedgebox.test',
      },
      { key: KEYS.admin },
    );
    expect(created.status).toBe(201);
    expect(created.body.created_by.email).toBe('admin@hedgebox.test');
  });

  test('unknown or malformed id → 404', async () => {
    expect((await api.get(`${DOCS}/11111111-1111-4111-8111-111111111111`)).body).toEqual(NOT_FOUND);
    expect((await api.get(`${DOCS}/xyz`)).body).toEqual(NOT_FOUND);
  });
});

describe('oauth applications', () => {
  test('list the seeded applications, read-only', async () => {
    const res = await api.get(`${OAUTH}/`);
    expect(res.body.results[0]).toEqual({
      id: expect.any(String),
      name: 'Hedgebox CLI',
      client_id: 'mock_client_hedgebox_cli',
      redirect_uris_list: ['http://localhost:8239/callback'],
      is_verified: true,
      created: expect.any(String),
      updated: expect.any(String),
    });
    expect((await api.post(OAUTH, { name: 'x' })).status).toBe(405);
  });
});

describe('legal document details', () => {
  const OTHER_ORG = '11111111-2222-4333-8444-555555555555';

  test('every field sent is stored, and omitted ones are empty', async () => {
    const res = await api.post(DOCS, {
      document_type: 'BAA',
      company_name: 'Hedgebox Inc.',
      company_address: '1 Main St',
      representative_title: 'CEO',
      representative_email: 'ada@hedgebox.test',
      dpa_mode: 'pretty',
    });
    const stored = api.mock.app.store.state.legalDocuments.get(res.body.id)!;
    expect([
      stored.company_address,
      stored.representative_title,
      stored.dpa_mode,
      stored.representative_name,
    ]).toEqual(['1 Main St', 'CEO', 'pretty', '']);
  });

  test('a document created with the required fields only stores an empty title and DPA mode', async () => {
    const res = await api.post(DOCS, COMPLETE);
    expect(res.status).toBe(201);
    const stored = api.mock.app.store.state.legalDocuments.get(res.body.id)!;
    expect([stored.representative_name, stored.representative_title, stored.dpa_mode]).toEqual(['', '', '']);
  });

  test('a document whose author is gone shows created_by null; other organizations’ documents are not found', async () => {
    const { legalDocuments } = api.mock.app.store.state;
    const doc = legalDocuments.get(legalDocuments.keys().next().value!);
    doc!.created_by_id = null;
    expect((await api.get(`${DOCS}/${doc!.id}/`)).body.created_by).toBeNull();
    doc!.organization_id = OTHER_ORG;
    expect((await api.get(`${DOCS}/${doc!.id}/`)).body).toEqual(NOT_FOUND);
    expect((await api.get(`${DOCS}/`)).body.count).toBe(0);
  });
});
