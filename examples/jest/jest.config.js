/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // one posthog-mock for the whole run; its URL and key reach the tests as POSTHOG_MOCK_URL and POSTHOG_MOCK_API_KEY
  globalSetup: 'posthog-mock/jest/global-setup',
  globalTeardown: 'posthog-mock/jest/global-teardown',
  // store, request journal and fault rules back to their start before every test
  setupFilesAfterEnv: ['posthog-mock/jest/reset-before-each'],
};
