import { useMock, validation } from './support/api';

/**
 * `session_recording_sample_rate` is PostHog's DecimalField(max_digits=3, decimal_places=2), sent and answered
 * as text: what is not such a number is refused in DRF's words, and nothing is stored.
 */
const api = useMock();
const URL = '/api/organizations/@current/projects/1/';

describe('decimal fields written as text', () => {
  test.each(['0', '0.5', '1.00', '.25', '-1', null])('%j is stored and answered as sent', async (value) => {
    const res = await api.patch(URL, { session_recording_sample_rate: value });
    expect(res.status).toBe(200);
    expect(res.body.session_recording_sample_rate).toBe(value);
  });

  test.each([' ', '', 'abc', '1.234', '12', '1e2', '0.5 ', '\u00000'])(
    '%j → 400 A valid number is required.',
    async (value) => {
      const before = api.mock.app.store.snapshot();
      const res = await api.patch(URL, { session_recording_sample_rate: value });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        validation('invalid_input', 'A valid number is required.', 'session_recording_sample_rate'),
      );
      expect(api.mock.app.store.snapshot()).toEqual(before);
    },
  );
});
