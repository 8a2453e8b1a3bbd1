// A short node:test reporter for `npm test`: one line per test file, each failure in full (name,
// file, error) as it happens, every skip with its reason, then `N passed, N failed, N skipped`.
// Diagnostics a test marks `report: ` (the fault suite's totals line) are printed too.
// The full TAP stays available: `npm test -- --tap` or AUTOSTACK_TEST_REPORTER=tap.
// With AUTOSTACK_TEST_COUNTS=<file>, the counts and skips are also written there as JSON so
// scripts/test.mjs can add up the unit and bundle phases.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const cwd = process.cwd();
const show = (file) => (file ? relative(cwd, file) : '(unknown file)');

function indent(text, prefix = '    ') {
  return String(text)
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function describeError(error) {
  if (!error) return 'failed';
  // node:test wraps the thrown error as `cause` of an ERR_TEST_FAILURE.
  const cause = error.cause ?? error;
  const message = cause?.message ?? String(cause);
  const stack =
    typeof cause?.stack === 'string'
      ? cause.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line) && !line.includes('node:'))
          .slice(0, 3)
          .join('\n')
      : '';
  return stack ? `${message}\n${stack}` : message;
}

export default async function* shortReporter(source) {
  const files = new Map();
  const skips = [];
  const fileOf = (name) => {
    let entry = files.get(name);
    if (!entry) {
      entry = { passed: 0, failed: 0, skipped: 0, fileFailed: false };
      files.set(name, entry);
    }
    return entry;
  };
  for await (const event of source) {
    // A test's own report line (`t.diagnostic('report: …')`, e.g. the fault suite's totals) is shown as it comes.
    if (event.type === 'test:diagnostic' && String(event.data.message).startsWith('report: ')) {
      yield `  ${String(event.data.message).slice('report: '.length)}\n`;
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.details?.type === 'suite') continue;
    const file = show(data.file);
    const entry = fileOf(file);
    // Node 20 reports each file as a test named by its path: only its own failure counts (a crash or a syntax error).
    const isFileWrapper = data.file && (data.name === data.file || data.name === file);
    if (isFileWrapper) {
      if (event.type === 'test:fail') entry.fileFailed = describeError(data.details?.error);
      continue;
    }
    if (data.skip !== undefined || data.todo !== undefined) {
      entry.skipped += 1;
      skips.push({
        file,
        name: data.name,
        reason:
          typeof data.skip === 'string'
            ? data.skip
            : typeof data.todo === 'string'
              ? `todo: ${data.todo}`
              : 'no reason given',
      });
    } else if (event.type === 'test:pass') {
      entry.passed += 1;
    } else {
      entry.failed += 1;
      yield `\n✗ FAIL ${file} › ${data.name}\n${indent(describeError(data.details?.error))}\n\n`;
    }
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines = [];
  for (const [file, entry] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.fileFailed && entry.failed === 0) {
      entry.failed = 1;
      lines.push(`✗ ${file}: the file failed\n${indent(entry.fileFailed)}`);
    } else {
      const parts = [`${entry.passed} passed`];
      if (entry.failed) parts.push(`${entry.failed} failed`);
      if (entry.skipped) parts.push(`${entry.skipped} skipped`);
      lines.push(`${entry.failed ? '✗' : '✓'} ${file}  ${parts.join(', ')}`);
    }
    passed += entry.passed;
    failed += entry.failed;
    skipped += entry.skipped;
  }
  for (const skip of skips) lines.push(`- skipped: ${skip.file} › ${skip.name} — ${skip.reason}`);
  lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  yield `${lines.join('\n')}\n`;
  if (process.env.AUTOSTACK_TEST_COUNTS)
    writeFileSync(process.env.AUTOSTACK_TEST_COUNTS, JSON.stringify({ passed, failed, skipped, skips }));
}
