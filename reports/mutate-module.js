// npm run mutate: StrykerJS over every module under src/http and src/resources, one module at a time,
// each against the test files that exercise it (reports/mutation-modules.json), not the whole suite for
// every mutant: on a 2-core machine that is hours, because jest loads every test file for every mutant.
// A score against a subset of the suite is a lower bound of the whole suite's.
//
//   npm run mutate                               # every module in mutation-modules.json, then the scores
//   npm run mutate -- src/http/body.ts           # one module, against its test files
//   npm run mutate -- src/http/body.ts engine,mutants-body    # one module, against the files named
//   npm run mutate -- --scores                   # only print the scores the committed file holds
//   npm run mutate -- --force [module]           # run even modules whose committed run still stands
//
// Incremental: reports/stryker-incremental.json (committed) holds every module's last result. Before a
// module runs, its part of that file (the module and the test files of the run) is handed to Stryker as the
// run's incremental file, so only mutants whose code or covering tests changed are tested again; after
// the run, the module's new part goes back into the committed file. Tests are matched across runs by
// file, name and location, as Stryker matches them. Everything else is stryker.config.json's: jest
// runner, TypeScript checker, perTest coverage, ignoreStatic, concurrency 2.
//
// The scores (killed and timed out over all mutants that ran: static mutants, mutants marked with a
// `Stryker disable` comment and mutants the TypeScript checker rejects are not counted) are printed as a
// table and written into the README's development section; a module under 80 % fails the run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const COMMITTED = path.join(__dirname, 'stryker-incremental.json');
const MODULES = JSON.parse(fs.readFileSync(path.join(__dirname, 'mutation-modules.json'), 'utf8'));
const BREAK = 80;
const dir = path.join(os.tmpdir(), 'posthog-mock-stryker');

const read = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const testFileOf = (name) => `test/${name}.test.ts`;
const testKey = (file, test) => JSON.stringify([file, test.name, test.location ?? null]);
/** the test files each module's committed run was measured against (a run with other files is not the same) */
const RUNS = path.join(__dirname, 'mutation-runs.json');
const runs = () => (fs.existsSync(RUNS) ? read(RUNS) : {});
const committed = () => (fs.existsSync(COMMITTED) ? read(COMMITTED) : { files: {}, testFiles: {} });

/** The committed file's part for one module's run: the module and the run's test files. */
function extract(module, tests) {
  const all = committed();
  if (!all.files[module]) return undefined;
  const testFiles = {};
  for (const t of tests.map(testFileOf)) if (all.testFiles[t]) testFiles[t] = all.testFiles[t];
  return { ...all, files: { [module]: all.files[module] }, testFiles };
}

/** Runs `fn` holding a lock on the committed file (runs of different modules may end at the same time). */
function locked(fn) {
  const lock = `${COMMITTED}.lock`;
  for (let tries = 0; ; tries++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST' || tries > 600) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmdirSync(lock);
  }
}

/** Puts one module's run back into the committed file, numbering its tests in the file's numbering. */
function mergeBack(run) {
  locked(() => merge(run));
}

function merge(run) {
  const all = committed();
  const tests = Object.entries(all.testFiles).flatMap(([file, testFile]) => testFile.tests.map((t) => [file, t]));
  let next = Math.max(-1, ...tests.map(([, t]) => Number(t.id)).filter(Number.isFinite)) + 1;
  // an id two tests share (files merged by an earlier tool) names neither for sure: each such test gets an
  // id of its own, and the mutants' references to the shared one go (such a mutant is tested again)
  const uses = new Map();
  for (const [, t] of tests) uses.set(t.id, (uses.get(t.id) ?? 0) + 1);
  const shared = new Set([...uses].filter(([, n]) => n > 1).map(([id]) => id));
  for (const [, t] of tests) if (shared.has(t.id)) t.id = String(next++);
  const unshared = (ids) => ids?.filter((id) => !shared.has(id));
  for (const source of Object.values(all.files)) {
    for (const m of source.mutants) Object.assign(m, { coveredBy: unshared(m.coveredBy), killedBy: unshared(m.killedBy) });
  }
  const idByKey = new Map(tests.map(([file, t]) => [testKey(file, t), t.id]));
  const newId = new Map();
  for (const [file, testFile] of Object.entries(run.testFiles ?? {})) {
    all.testFiles[file] = {
      ...testFile,
      tests: testFile.tests.map((test) => {
        const key = testKey(file, test);
        if (!idByKey.has(key)) idByKey.set(key, String(next++));
        newId.set(test.id, idByKey.get(key));
        return { ...test, id: idByKey.get(key) };
      }),
    };
  }
  const remap = (ids) => ids?.map((id) => newId.get(id)).filter((id) => id !== undefined);
  for (const [module, source] of Object.entries(run.files)) {
    all.files[module] = {
      ...source,
      mutants: source.mutants.map((m) => ({ ...m, coveredBy: remap(m.coveredBy), killedBy: remap(m.killedBy) })),
    };
  }
  const { files, testFiles, ...rest } = { ...all, ...run, files: all.files, testFiles: all.testFiles };
  const sorted = (object) => Object.fromEntries(Object.keys(object).sort().map((k) => [k, object[k]]));
  // written whole, then renamed: a run starting meanwhile reads the old file or the new one, never half
  const json = JSON.stringify({ ...rest, projectRoot: '.', files: sorted(files), testFiles: sorted(testFiles) });
  fs.writeFileSync(`${COMMITTED}.tmp`, `${json}\n`);
  fs.renameSync(`${COMMITTED}.tmp`, COMMITTED);
}

const current = (file) => (fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : undefined);

/**
 * Whether the committed run of `module` still stands as it is: it was measured against these test files
 * (mutation-runs.json), the module and every one of them are as they were, and each killed mutant's
 * killing test is in one of them. Stryker would then
 * reuse every result (it diffs only the mutated file and the test files), so the run is skipped.
 */
function unchanged(module, tests) {
  if (JSON.stringify(runs()[module]) !== JSON.stringify(tests)) return false;
  const all = committed();
  const source = all.files[module];
  if (!source || source.source !== current(module)) return false;
  const files = tests.map(testFileOf);
  if (files.some((file) => all.testFiles[file]?.source !== current(file))) return false;
  const fileOf = new Map();
  for (const [file, testFile] of Object.entries(all.testFiles)) for (const t of testFile.tests) fileOf.set(t.id, file);
  return source.mutants.every(
    (m) => m.status !== 'Killed' || (m.killedBy ?? []).some((id) => files.includes(fileOf.get(id))),
  );
}

function measure(module, tests) {
  if (!process.argv.includes('--force') && unchanged(module, tests)) {
    console.log(`\n=== ${module}: unchanged since its committed run (module and test files), results kept`);
    return 0;
  }
  fs.mkdirSync(dir, { recursive: true });
  const name = path.basename(module, '.ts');
  const incrementalFile = path.join(dir, `inc-${name}.json`);
  const part = extract(module, tests);
  if (part) fs.writeFileSync(incrementalFile, JSON.stringify(part));
  else fs.rmSync(incrementalFile, { force: true });
  const base = read(path.join(ROOT, 'stryker.config.json'));
  delete base.$schema;
  const config = {
    ...base,
    mutate: [module],
    incrementalFile,
    jest: { ...base.jest, config: { testMatch: tests.map((t) => `**/${testFileOf(t)}`) } },
    reporters: ['clear-text', 'progress-append-only'],
  };
  const configFile = path.join(dir, `${name}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  console.log(`\n=== ${module} against ${tests.join(', ')}`);
  const status = spawnSync('npx', ['stryker', 'run', configFile], { stdio: 'inherit', cwd: ROOT }).status ?? 1;
  if (status !== 0) return status;
  const run = fs.existsSync(incrementalFile) ? read(incrementalFile) : { files: {}, testFiles: {} };
  // a module with nothing to mutate (types only) is absent from Stryker's report: kept as measured, with none
  run.files[module] ??= { language: 'typescript', source: current(module), mutants: [] };
  mergeBack(run);
  locked(() => fs.writeFileSync(RUNS, `${JSON.stringify({ ...runs(), [module]: tests }, null, 2)}\n`));
  return status;
}

const COUNTED = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'no coverage' };
const pct = (n, d) => (d ? ((100 * n) / d).toFixed(2) : '—');

/** The score table of the committed file: one row per module, then all modules. */
function scores() {
  const all = committed();
  const rows = [];
  const total = { killed: 0, timeout: 0, survived: 0, 'no coverage': 0, 'compile errors': 0, ignored: 0 };
  for (const module of Object.keys(MODULES)) {
    const row = { killed: 0, timeout: 0, survived: 0, 'no coverage': 0, 'compile errors': 0, ignored: 0 };
    for (const m of all.files[module]?.mutants ?? []) {
      const column = COUNTED[m.status] ?? (m.status === 'CompileError' ? 'compile errors' : 'ignored');
      row[column]++;
      total[column]++;
    }
    rows.push([module, row, Boolean(all.files[module])]);
  }
  rows.push(['all modules', total, true]);
  const lines = [
    '| module | score % | killed | timeout | survived | no coverage | compile errors | ignored |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const failing = [];
  for (const [module, r, measured] of rows) {
    const detected = r.killed + r.timeout;
    const score = pct(detected, detected + r.survived + r['no coverage']);
    if (!measured || Number(score) < BREAK) failing.push(module);
    lines.push(
      `| ${module} | ${measured ? score : 'not measured'} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r['no coverage']} | ${r['compile errors']} | ${r.ignored} |`,
    );
  }
  return { table: lines.join('\n'), failing };
}

/** Writes the table into the README, between its mutation:begin and mutation:end comments. */
function writeReadme(table) {
  const file = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const block = /(<!-- mutation:begin[^\n]*-->\n)[\s\S]*?(<!-- mutation:end -->)/;
  if (!block.test(readme)) return;
  fs.writeFileSync(file, readme.replace(block, (_, begin, end) => `${begin}\n${table}\n\n${end}`));
  // laid out as `npm run format` would: the repository's lint checks the README with prettier
  spawnSync('npx', ['prettier', '--write', file], { stdio: 'ignore', cwd: ROOT });
}

/**
 * Prints the score table and writes it into the README; fails when one of `modules` (all, by default) is
 * under BREAK or not measured.
 */
function report(modules = Object.keys(MODULES)) {
  const { table, failing } = scores();
  console.log(`\n${table}\n`);
  writeReadme(table);
  const failed = failing.filter((m) => m === 'all modules' || modules.includes(m));
  if (failed.length) console.error(`under ${BREAK} % or not measured: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

module.exports = { scores, mergeBack, BREAK };

if (require.main === module) {
  const [module, tests] = process.argv.slice(2).filter((arg) => arg !== '--force');
  if (module === '--scores') process.exit(report());
  if (module && !tests && !MODULES[module]) {
    console.error('usage: npm run mutate [-- <module> [test,test,...] | --scores]');
    process.exit(2);
  }
  const runs = module ? [[module, tests ? tests.split(',') : MODULES[module]]] : Object.entries(MODULES);
  const failed = runs.filter(([m, list]) => measure(m, list) !== 0).map(([m]) => m);
  if (failed.length) console.error(`stryker failed on: ${failed.join(', ')}`);
  process.exit(report(runs.map(([m]) => m)) || (failed.length ? 1 : 0));
}
