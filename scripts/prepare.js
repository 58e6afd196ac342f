#!/usr/bin/env node
/**
 * `npm run prepare`: builds dist/ from src/. npm runs it on `npm ci`/`npm install` in this folder, and
 * when the package is installed from its git URL or from a path. A path install links this folder
 * as it is, so on a fresh clone nothing is installed here yet: then this folder's own dependencies are
 * installed first (they are what the linked package runs on), and the build follows.
 * Plain JavaScript on purpose: it must run before anything is installed.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (!fs.existsSync(tsc)) {
  console.error(`posthog-mock: installing its own dependencies in ${root} to build it`);
  // the outer npm's settings (its prefix, global flag, what it is installing) are not this install's
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package|lifecycle|command)/i.test(k)),
  );
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm
    ? [process.execPath, [npm, 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--include=dev']]
    : ['npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--include=dev']];
  execFileSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
}
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
