import { error, expectUnchanged, KEYS, NOT_FOUND, ORG, useMock, validation } from './support/api';

const api = useMock();
const DOCS = `/api/organizations/${ORG}/legal_documents`;
const OAUTH = `/api/organizations/${ORG}/oauth_applications`;

describe('legal documents', () => {
  test('list and retrieve the seeded signed DPA', async () => {
    const list = await api.get(`${DOCS}/`);
    expect(list.body.count).toBe(1);
    const dpa = list.body.results[0];
    expect(dpa).toMatchObject({ document_type: 'DPA', status: 'signed', company_name: 'Hedgebox Inc.' });
    expect(dpa.created_by).toEqual({ first_name: expect.any(String), email: 'owner@hedgebox.test' });
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
    expect(res.body).toMatchObject({
      document_type: 'BAA',
      status: 'submitted_for_signature',
      signed_document_url: null,
    });
    expect(res.body).not.toHaveProperty('company_address');
    expect((await api.get(`${DOCS}/${res.body.id}`)).body).toEqual(res.body);
    expect((await api.get(DOCS)).body.count).toBe(2);
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'document_type')],
    [{ document_type: 'NDA' }, validation('invalid_choice', '"NDA" is not a valid choice.', 'document_type')],
    [
      { document_type: 'BAA', representative_email: 'nope' },
      validation('invalid_input', 'Enter a valid email address.', 'representative_email'),
    ],
    [
      { document_type: 'DPA' },
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

  test('only admins and owners create documents', async () => {
    const res = await api.post(DOCS, { document_type: 'BAA' }, { key: KEYS.member });
    expect(res.body).toEqual(
      error(
        'authentication_error',
        'permission_denied',
        'You do not have permission to perform this action.',
      ),
    );
  });

  test('unknown or malformed id → 404', async () => {
    expect((await api.get(`${DOCS}/11111111-1111-4111-8111-111111111111`)).body).toEqual(NOT_FOUND);
    expect((await api.get(`${DOCS}/xyz`)).body).toEqual(NOT_FOUND);
  });
});

describe('oauth applications', () => {
  test('list the seeded applications, read-only', async () => {
    const res = await api.get(`${OAUTH}/`);
    expect(res.body.results[0]).toMatchObject({
      name: 'Hedgebox CLI',
      client_id: 'mock_client_hedgebox_cli',
      redirect_uris_list: ['http://localhost:8239/callback'],
      is_verified: true,
    });
    expect((await api.post(OAUTH, { name: 'x' })).status).toBe(405);
  });
});
