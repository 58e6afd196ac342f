import {
  collectPages,
  error,
  expectUnchanged,
  KEYS,
  NOT_FOUND,
  ORG,
  useMock,
  validation,
} from './support/api';

const api = useMock();
const INVITES = `/api/organizations/${ORG}/invites`;

describe('invites', () => {
  test('list: the seeded invites, newest first', async () => {
    const res = await api.get(`${INVITES}/`);
    expect(res.body.count).toBe(5);
    const created = res.body.results.map((i: { created_at: string }) => i.created_at);
    expect(created).toEqual([...created].sort().reverse());
    const nina = res.body.results.find(
      (i: { target_email: string }) => i.target_email === 'new.hire@hedgebox.test',
    );
    expect([nina.first_name, nina.level, nina.message]).toEqual(['Nina', 1, 'Welcome aboard!']);
    expect(await collectPages(api, `${INVITES}?limit=2`)).toEqual(res.body.results);
  });

  test('create answers 201, lists first, and replaces a pending invite for the same email', async () => {
    const res = await api.post(`${INVITES}/`, {
      target_email: 'sam@example.test',
      first_name: 'Sam',
      level: 8,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      target_email: 'sam@example.test',
      first_name: 'Sam',
      emailing_attempt_made: true,
      level: 8,
      is_expired: false,
      created_by: expect.objectContaining({ email: 'owner@hedgebox.test' }),
      created_at: expect.any(String),
      updated_at: res.body.created_at,
      message: null,
      private_project_access: null,
      send_email: true,
      combine_pending_invites: false,
    });
    const again = await api.post(
      INVITES,
      { target_email: 'SAM@example.test', send_email: false },
      { as: 'form' },
    );
    const list = await api.get(INVITES);
    expect(list.body.count).toBe(6);
    const first = list.body.results[0];
    expect([first.id, first.level, first.emailing_attempt_made]).toEqual([again.body.id, 1, false]);
    expect(list.body.results.map((i: { id: string }) => i.id)).not.toContain(res.body.id);
  });

  test('private_project_access names projects of the organization', async () => {
    const ok = await api.post(INVITES, {
      target_email: 'p@example.test',
      private_project_access: [{ id: 1, level: 8 }],
    });
    expect(ok.body.private_project_access).toEqual([{ id: 1, level: 8 }]);
    const bad = await api.post(INVITES, {
      target_email: 'q@example.test',
      private_project_access: [{ id: 99, level: 1 }],
    });
    expect(bad.body).toEqual(
      validation('invalid_input', 'Project 99 does not exist.', 'private_project_access'),
    );
  });

  test.each([
    [{}, validation('required', 'This field is required.', 'target_email')],
    [{ target_email: 'nope' }, validation('invalid_input', 'Enter a valid email address.', 'target_email')],
    [
      { target_email: 'a@b.test', level: 2 },
      validation('invalid_choice', '"2" is not a valid choice.', 'level'),
    ],
    [
      { target_email: 'a@b.test', first_name: 'x'.repeat(31) },
      validation('max_length', 'Ensure this field has no more than 30 characters.', 'first_name'),
    ],
    [
      { target_email: 'member@hedgebox.test' },
      validation('invalid_input', 'A user with this email address already belongs to the organization.'),
    ],
  ])('create rejects %j', async (body, expected) => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(INVITES, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expectUnchanged(api, before);
  });

  test('a member cannot invite above their own level', async () => {
    const res = await api.post(
      INVITES,
      { target_email: 'boss@example.test', level: 8 },
      { key: KEYS.member },
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual(
      error(
        'authentication_error',
        'permission_denied',
        'You cannot invite a user with a higher permission level than your own.',
      ),
    );
    expect(
      (await api.post(INVITES, { target_email: 'peer@example.test' }, { key: KEYS.member })).status,
    ).toBe(201);
  });

  test('DELETE answers 204 and the invite is gone; unknown ids 404', async () => {
    const id = '0190a1b2-3001-7000-8000-000000000001';
    expect((await api.delete(`${INVITES}/${id}/`)).status).toBe(204);
    expect((await api.get(INVITES)).body.results.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await api.delete(`${INVITES}/${id}`)).body).toEqual(NOT_FOUND);
    expect((await api.delete(`${INVITES}/42`)).body).toEqual(NOT_FOUND);
  });

  test('GET one invite is not an operation: 405', async () => {
    const res = await api.get(`${INVITES}/0190a1b2-3001-7000-8000-000000000001`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('DELETE, OPTIONS');
  });

  test('bulk creates every invite and answers them as an array', async () => {
    const res = await api.post(`${INVITES}/bulk/`, [
      { target_email: 'one@example.test' },
      { target_email: 'two@example.test', level: 8 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.map((i: { target_email: string }) => i.target_email)).toEqual([
      'one@example.test',
      'two@example.test',
    ]);
    expect((await api.get(INVITES)).body.count).toBe(7);
  });

  test.each([
    [
      { target_email: 'x@example.test' },
      'This endpoint needs an array of data for bulk invite creation.',
      'invalid_input',
    ],
    [
      Array.from({ length: 21 }, (_, i) => ({ target_email: `u${i}@example.test` })),
      'A maximum of 20 invites can be sent in a single request.',
      'max_length',
    ],
  ])('bulk rejects %#', async (body, detail, code) => {
    const res = await api.post(`${INVITES}/bulk`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validation(code, detail));
  });

  test('bulk applies the rules of one invite to each, and one broken rule writes none', async () => {
    const cases = [
      [
        [{ target_email: 'fine@example.test' }, { target_email: 'Member@hedgebox.test' }],
        400,
        validation('invalid_input', 'A user with this email address already belongs to the organization.'),
      ],
      [
        [
          { target_email: 'fine@example.test' },
          { target_email: 'p@example.test', private_project_access: [{ id: 99, level: 1 }] },
        ],
        400,
        validation('invalid_input', 'Project 99 does not exist.', 'private_project_access'),
      ],
    ] as const;
    const before = api.mock.app.store.snapshot();
    for (const [body, status, expected] of cases) {
      const res = await api.post(`${INVITES}/bulk/`, body);
      expect([res.status, res.body]).toEqual([status, expected]);
    }
    // a member may invite members, not admins
    const above = await api.post(
      `${INVITES}/bulk/`,
      [{ target_email: 'peer@example.test' }, { target_email: 'boss@example.test', level: 8 }],
      { key: KEYS.member },
    );
    expect(above.status).toBe(403);
    expect(above.body).toEqual(
      error(
        'authentication_error',
        'permission_denied',
        'You cannot invite a user with a higher permission level than your own.',
      ),
    );
    expectUnchanged(api, before);
    const allowed = await api.post(
      `${INVITES}/bulk/`,
      [
        { target_email: 'peer@example.test' },
        { target_email: 'p@example.test', private_project_access: [{ id: 2, level: 1 }] },
      ],
      { key: KEYS.member },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.body.map((i: { level: number }) => i.level)).toEqual([1, 1]);
    expect(allowed.body[1].private_project_access).toEqual([{ id: 2, level: 1 }]);
    expect((await api.get(INVITES)).body.count).toBe(7);
  });

  test('bulk is all or nothing: one bad invite writes none', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${INVITES}/bulk`, [
      { target_email: 'fine@example.test' },
      { target_email: 'bad' },
    ]);
    expect(res.body).toEqual(validation('invalid_input', 'Enter a valid email address.', '1__target_email'));
    expectUnchanged(api, before);
  });
});

describe('invite details', () => {
  test('an invite expires once it is older than 3 days', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    // the world's own copies, to change behind the API's back (iteration hands out the frozen seed)
    const { invites: table } = api.mock.app.store.state;
    const invites = [...table.keys()].slice(0, 2).map((id) => table.get(id)!);
    expect(invites).toHaveLength(2);
    invites[0]!.created_at = new Date(Date.now() - 3 * DAY + 60_000).toISOString();
    invites[1]!.created_at = new Date(Date.now() - 3 * DAY - 60_000).toISOString();
    const res = await api.get(INVITES);
    const expired = (id: string) =>
      res.body.results.find((i: { id: string; is_expired: boolean }) => i.id === id).is_expired;
    expect([expired(invites[0]!.id), expired(invites[1]!.id)]).toEqual([false, true]);
  });

  test('DELETE takes the id in any case; another organization’s invite is not found', async () => {
    const id = '0190a1b2-3001-7000-8000-000000000001';
    expect((await api.delete(`${INVITES}/${id.toUpperCase()}/`)).status).toBe(204);
    const other = api.mock.app.store.state.invites.get(
      api.mock.app.store.state.invites.keys().next().value!,
    )!;
    other.organization_id = '11111111-2222-4333-8444-555555555555';
    expect((await api.delete(`${INVITES}/${other.id}/`)).body).toEqual(NOT_FOUND);
    expect(api.mock.app.store.state.invites.has(other.id)).toBe(true);
  });

  test('bulk with an empty list creates nothing and answers []', async () => {
    const before = api.mock.app.store.snapshot();
    const res = await api.post(`${INVITES}/bulk/`, []);
    expect([res.status, res.body]).toEqual([200, []]);
    expectUnchanged(api, before);
  });
});

test('bulk takes up to 20 invites', async () => {
  const res = await api.post(
    `${INVITES}/bulk/`,
    Array.from({ length: 20 }, (_, i) => ({ target_email: `n${i}@example.test` })),
  );
  expect(res.status).toBe(200);
  expect(res.body).toHaveLength(20);
  expect((await api.get(INVITES)).body.count).toBe(25);
});
