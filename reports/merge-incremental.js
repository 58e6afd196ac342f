// Merges the incremental files that reports/mutate-module.js leaves under $TMPDIR (one per module, each
// measured against the test files that exercise it) into reports/stryker-incremental.json, so that the
// next `npm run mutate` reuses their results: a killed mutant whose killing test is unchanged is not run
// again, and a surviving or uncovered one is re-run only if the whole suite covers it with a test the
// module's run did not have. Test ids are only unique within one report, so tests are matched by file,
// name and location and numbered afresh.
//
//   node reports/merge-incremental.js            # every $TMPDIR/posthog-mock-stryker/inc-*.json
//   node reports/merge-incremental.js a.json b.json
//
// A module that appears in several files takes the newest file's result. A test file must have the same
// source in every report that ran it: if a test file changed after a module was measured, measure that
// module again (its own incremental file makes that quick) before merging.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = path.join(os.tmpdir(), 'posthog-mock-stryker');
const inputs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs
      .readdirSync(dir)
      .filter((f) => /^inc-.*\.json$/.test(f))
      .map((f) => path.join(dir, f));
const reports = inputs
  .map((file) => ({ file, mtime: fs.statSync(file).mtimeMs, report: JSON.parse(fs.readFileSync(file, 'utf8')) }))
  .sort((a, b) => a.mtime - b.mtime);
if (reports.length === 0) {
  console.error(`no incremental files to merge in ${dir}`);
  process.exit(2);
}

const testKey = (file, test) => JSON.stringify([file, test.name, test.location ?? null]);
const testFiles = {};
const testFileFrom = {};
const idByKey = new Map();
const files = {};
const problems = [];

for (const { file, report } of reports) {
  const newId = new Map();
  for (const [name, testFile] of Object.entries(report.testFiles ?? {})) {
    if (testFiles[name] && testFiles[name].source !== testFile.source) {
      problems.push(`${name} differs between ${testFileFrom[name]} and ${file}`);
      continue;
    }
    testFiles[name] ??= { ...testFile, tests: [] };
    testFileFrom[name] ??= file;
    for (const test of testFile.tests) {
      const key = testKey(name, test);
      if (!idByKey.has(key)) {
        idByKey.set(key, String(idByKey.size));
        testFiles[name].tests.push({ ...test, id: idByKey.get(key) });
      }
      newId.set(test.id, idByKey.get(key));
    }
  }
  const remap = (ids) => ids?.map((id) => newId.get(id)).filter((id) => id !== undefined);
  for (const [name, source] of Object.entries(report.files)) {
    files[name] = {
      ...source,
      mutants: source.mutants.map((m) => ({ ...m, coveredBy: remap(m.coveredBy), killedBy: remap(m.killedBy) })),
    };
  }
}
if (problems.length) {
  console.error(`test files changed between the runs; measure those modules again:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const last = reports[reports.length - 1].report;
const out = path.join(__dirname, 'stryker-incremental.json');
fs.writeFileSync(out, JSON.stringify({ ...last, files, testFiles }));
console.log(`${Object.keys(files).length} modules and ${idByKey.size} tests from ${reports.length} files → ${out}`);
