// Mutation-tests one module against a chosen set of test files, with its own incremental file, so that a
// module can be measured (and re-measured after new tests, re-testing only what changed) without running
// the whole suite for every mutant. Writes the derived config, the incremental file and the reports to
// $TMPDIR/posthog-mock-stryker/<module>*, and leaves reports/stryker-incremental.json untouched.
//
//   nice -n 19 node reports/mutate-module.js src/http/body.ts engine,validation,mutants-body
//
// The test files are names under test/ without .test.ts. Everything else is stryker.config.json's:
// jest runner, TypeScript checker, perTest coverage, ignoreStatic. Concurrency 2 (one checker, one runner).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const [file, tests] = process.argv.slice(2);
if (!file || !tests) {
  console.error('usage: node reports/mutate-module.js src/http/<module>.ts <test,test,...>');
  process.exit(2);
}
const name = path.basename(file, '.ts');
const dir = path.join(os.tmpdir(), 'posthog-mock-stryker');
fs.mkdirSync(dir, { recursive: true });
const base = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'stryker.config.json'), 'utf8'));
delete base.$schema;
const config = {
  ...base,
  mutate: [file],
  concurrency: 2,
  incrementalFile: path.join(dir, `inc-${name}.json`),
  jest: { ...base.jest, config: { testMatch: tests.split(',').map((t) => `**/test/${t}.test.ts`) } },
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: path.join(dir, `report-${name}`, 'mutation.json') },
};
const configFile = path.join(dir, `${name}.json`);
fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
const run = spawnSync('npx', ['stryker', 'run', configFile], { stdio: 'inherit' });
process.exit(run.status ?? 1);
