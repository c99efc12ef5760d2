#!/usr/bin/env node
// Writes npm-shrinkwrap.json (the lockfile, under the name npm honours inside a published
// package) into a folder, so `npm install -g` of the tarball installs exactly the locked
// dependency tree, and can do so from the npm cache alone (`--offline`).
// Usage: node scripts/shrinkwrap.mjs [dir]        (default: the repository root)
//        node scripts/shrinkwrap.mjs --remove [dir]
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const remove = args[0] === '--remove';
const dir = resolve(args[remove ? 1 : 0] ?? root);
const target = join(dir, 'npm-shrinkwrap.json');
if (remove) {
  rmSync(target, { force: true });
} else {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  writeFileSync(target, JSON.stringify(lock, null, 2) + '\n');
}
