// Mutation-tests one module against the test files that exercise it, with its own incremental file, so that
// a module can be measured (and re-measured after new tests, re-testing only what changed) without running
// the whole suite for every mutant. Writes the derived config, the incremental file and the reports to
// $TMPDIR/posthog-mock-stryker/<module>*, and leaves reports/stryker-incremental.json untouched
// (reports/merge-incremental.js merges the modules' files into it).
//
//   node reports/mutate-module.js src/http/body.ts                 # its tests from mutation-modules.json
//   node reports/mutate-module.js src/http/body.ts engine,mutants-body
//   node reports/mutate-module.js --all                            # every module in mutation-modules.json
//
// reports/mutation-modules.json names, for every module under src/http and src/resources, the test files
// (names under test/ without .test.ts) that exercise it. Everything else is stryker.config.json's: jest
// runner, TypeScript checker, perTest coverage, ignoreStatic. Concurrency 2 (one checker, one runner).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const MODULES = JSON.parse(fs.readFileSync(path.join(__dirname, 'mutation-modules.json'), 'utf8'));
const dir = path.join(os.tmpdir(), 'posthog-mock-stryker');
fs.mkdirSync(dir, { recursive: true });
const base = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'stryker.config.json'), 'utf8'));
delete base.$schema;

function measure(file, tests) {
  const name = path.basename(file, '.ts');
  const config = {
    ...base,
    mutate: [file],
    concurrency: 2,
    incrementalFile: path.join(dir, `inc-${name}.json`),
    jest: { ...base.jest, config: { testMatch: tests.map((t) => `**/test/${t}.test.ts`) } },
    reporters: ['clear-text', 'progress-append-only', 'json'],
    jsonReporter: { fileName: path.join(dir, `report-${name}`, 'mutation.json') },
  };
  const configFile = path.join(dir, `${name}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  console.log(`\n=== ${file} against ${tests.join(', ')}`);
  return spawnSync('npx', ['stryker', 'run', configFile], { stdio: 'inherit' }).status ?? 1;
}

const [file, tests] = process.argv.slice(2);
if (file === '--all') {
  const failed = Object.entries(MODULES).filter(([module, list]) => measure(module, list) !== 0);
  if (failed.length) console.error(`failed: ${failed.map(([module]) => module).join(', ')}`);
  process.exit(failed.length ? 1 : 0);
}
if (!file || (!tests && !MODULES[file])) {
  console.error('usage: node reports/mutate-module.js <module> [test,test,...] | --all');
  process.exit(2);
}
process.exit(measure(file, tests ? tests.split(',') : MODULES[file]));
