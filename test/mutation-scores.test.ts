/**
 * The README's mutation scores are the committed results of `npm run mutate`
 * (reports/stryker-incremental.json, which holds every module's last run), and every module under
 * src/http and src/resources has a mutation run scoring 80 % or more (issue 11's goal). A hand edit of the
 * table, a committed run the README was not updated for, or a module under 80 % fails here. Only the documents are checked: mutation runs
 * take too long for the suite (`npm run mutate` is a script).
 */
import fs from 'node:fs';
import path from 'node:path';
import { normalize } from './support/markdown';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { scores, BREAK } = require('../reports/mutate-module.js') as {
  scores(): { table: string; failing: string[] };
  BREAK: number;
};

const ROOT = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const { table, failing } = scores();

test('every module under src/http and src/resources is named for a mutation run', () => {
  const modules = Object.keys(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'reports', 'mutation-modules.json'), 'utf8')) as object,
  );
  const sources = ['http', 'resources'].flatMap((d) =>
    fs.readdirSync(path.join(ROOT, 'src', d)).map((f) => `src/${d}/${f}`),
  );
  expect(modules.sort()).toEqual(sources.sort());
});

test(`every module is measured and scores at least ${BREAK} %, and so do all together`, () => {
  expect(failing).toEqual([]);
});

test('the README shows the committed scores', () => {
  const block = /<!-- mutation:begin[^\n]*-->\n([\s\S]*?)<!-- mutation:end -->/.exec(readme)?.[1];
  expect(block).toBeDefined();
  expect(normalize(block!)).toBe(normalize(table));
});
