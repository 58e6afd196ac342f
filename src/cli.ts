#!/usr/bin/env node
import fs from 'node:fs';
import { ConfigError, helpText, parseConfig } from './config';
import { PACKAGE_VERSION } from './paths';
import { startMockServer, type MockServer } from './server';
import { ApiError } from './http/errors';
import { FixtureError } from './store/fixtures';

/** One line: where it listens, the seed, the key to use and what was seeded. */
function banner(mock: MockServer): string {
  const { state } = mock.app.store;
  const key = mock.app.store.fixtures.users[0]?.personal_api_key ?? '(none: fixture users have no key)';
  const sizes = [
    `${state.memberships.size} members`,
    `${state.projects.size} projects × ${mock.app.store.options.personsPerProject} persons`,
    `${state.roles.size} roles`,
    `${state.invites.size} invites`,
  ].join(', ');
  return `posthog-mock ${PACKAGE_VERSION} listening on ${mock.url} · seed ${mock.app.store.options.seed} · key ${key} · ${sizes}`;
}

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(argv, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`posthog-mock: ${err.message}\n`);
    process.exit(2);
  }
  if ('help' in parsed) {
    process.stdout.write(helpText());
    return;
  }
  if ('version' in parsed) {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return;
  }
  const config = parsed;
  let state: unknown;
  if (config.state !== undefined) {
    try {
      state = JSON.parse(fs.readFileSync(config.state, 'utf8'));
    } catch (err) {
      process.stderr.write(`posthog-mock: --state ${config.state}: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  let mock: MockServer;
  try {
    mock = await startMockServer({
      port: config.port,
      host: config.host,
      seed: config.seed,
      fixtures: config.fixtures,
      strictKeys: config.strictKeys,
      isolateByKey: config.isolateByKey,
      maxWorlds: config.maxWorlds,
      cors: config.cors,
      trustProxy: config.trustProxy,
      controlPlane: config.controlPlane,
      adminToken: config.adminToken,
      latency: config.latency,
      journalSize: config.journalSize,
      logLevel: config.logLevel ?? (config.quiet ? 'silent' : 'info'),
      profile: config.profile,
      personWriteDelay: config.personWriteDelay,
      state,
    });
  } catch (err) {
    if (err instanceof FixtureError) {
      process.stderr.write(`posthog-mock: bad fixtures:\n${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ApiError && config.state !== undefined) {
      const where = err.attr ? ` (at ${err.attr})` : '';
      process.stderr.write(`posthog-mock: --state ${config.state}: ${err.detail}${where}\n`);
      process.exit(2);
    }
    throw err;
  }
  const stop = (): void => {
    void mock.close({ graceMs: config.shutdownGraceMs }).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (!config.quiet) process.stdout.write(`${banner(mock)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `posthog-mock: ${code === 'EADDRINUSE' ? `the port is in use (${message})` : message}\n`,
  );
  process.exit(1);
});
