import { stopGlobalMock } from './index';

/** jest `globalTeardown`: stops the run's posthog-mock. */
export default async function globalTeardown(): Promise<void> {
  await stopGlobalMock();
}
