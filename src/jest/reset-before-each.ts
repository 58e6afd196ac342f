import { resetMock } from './index';

/** jest's global, present in every test file (setupFilesAfterEnv runs inside the test environment) */
declare const beforeEach: (fn: () => Promise<void>) => void;

/** jest `setupFilesAfterEnv` module: resets the run's posthog-mock before every test. */
beforeEach(() => resetMock());
