#!/usr/bin/env node
// Passes a TAP stream through and ends it with one line `N passed, N failed[, N skipped]`,
// counting each test (a subtest one level inside a test file). A file that fails without a
// failing test inside it (a crash, a timeout) counts as one failed test.
import { createInterface } from 'node:readline';

let passed = 0, failed = 0, skipped = 0, failedInFile = 0;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  process.stdout.write(line + '\n');
  const inner = /^ {4}(not ok|ok) \d+ - .*?(# (SKIP|TODO)\b.*)?$/i.exec(line);
  if (inner) {
    if (inner[3]) skipped++;
    else if (inner[1] === 'ok') passed++;
    else { failed++; failedInFile++; }
    return;
  }
  const file = /^(not ok|ok) \d+ - /.exec(line);
  if (file) {
    if (file[1] === 'not ok' && failedInFile === 0) failed++;
    failedInFile = 0;
  }
});
rl.on('close', () => {
  const parts = [`${passed} passed`, `${failed} failed`];
  if (skipped) parts.push(`${skipped} skipped`);
  process.stdout.write(parts.join(', ') + '\n');
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
