import fs from 'node:fs';
import path from 'node:path';

/** The package root, whether running from src/ (ts-node, jest) or dist/src/ (built). */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'schemas')) || !fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`posthog-mock: no schemas/ folder above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot(__dirname);
export const SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'schemas');

/** The version in the package's package.json, read once. */
export const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
