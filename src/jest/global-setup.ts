import { startGlobalMock } from './index';

/** jest `globalSetup`: starts one posthog-mock for the run (options from POSTHOG_MOCK_* variables). */
export default async function globalSetup(): Promise<void> {
  await startGlobalMock();
}
