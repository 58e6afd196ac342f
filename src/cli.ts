#!/usr/bin/env node
import { configFromEnv } from './config';
import { startMockServer } from './server';

async function main(): Promise<void> {
  const config = configFromEnv();
  const mock = await startMockServer({
    port: config.port,
    host: config.host,
    seed: config.seed,
    strictKeys: config.strictKeys,
  });
  console.log(`posthog-mock listening on ${mock.url} (seed ${config.seed.seed})`);
  const stop = (): void => {
    void mock.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`posthog-mock: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
