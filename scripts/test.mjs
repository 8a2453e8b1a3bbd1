// `npm test`: unit tests against the source first (seconds), then the bundle tests against dist/
// (the code that ships). Before that it provisions what the tests need where it can (redis-server,
// shellcheck with apt-get as root; Node 24 from the npm registry into .cache/), or stops at once
// with one line saying what to install; a stale dist/ stops it with the command that fixes it.
// Tests run with TMPDIR pointed at a private folder: anything they leave there, or in the
// checkout, fails the run by name. Output is one line per file; `--tap` gives node's full TAP.
//
//   npm test                      everything
//   npm test -- record-run cli    files whose path contains a fragment
//   npm test -- --tap             full TAP (also AUTOSTACK_TEST_REPORTER=tap)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision } from './test-provision.mjs';
import { checkDistFresh } from './dist-stamp.mjs';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const tap = args.includes('--tap') || process.env.AUTOSTACK_TEST_REPORTER === 'tap';
const filters = args.filter((arg) => arg !== '--tap');
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

// A bundle test runs what ships (dist/) through the runner harness or the CLI bundle.
const isBundleTest = (file) => /harness\/job\.js|CLI_BUNDLE|['"/]dist\//.test(readFileSync(file, 'utf8'));
const bundleTests = files.filter(isBundleTest);
const unitTests = files.filter((file) => !bundleTests.includes(file));
const sources = files.map((file) => readFileSync(file, 'utf8')).join('\n');

const env = provision(sources, process.env);
if (bundleTests.length > 0) checkDistFresh();

// Every test's temp files go to a private folder, so a leak is seen (and cleaned up) here.
const privateTmp = mkdtempSync(join(tmpdir(), 'autostack-test-'));
const checkoutBefore = checkoutState();

function runPhase(label, phaseFiles) {
  if (phaseFiles.length === 0) return Promise.resolve({ passed: 0, failed: 0, skipped: 0, skips: [] });
  const counts = join(privateTmp, `.counts-${label}.json`);
  const reporter = tap ? ['--test-reporter=tap'] : ['--test-reporter=./scripts/test-reporter.mjs'];
  if (!tap) console.log(`— ${label}: ${phaseFiles.length} file${phaseFiles.length === 1 ? '' : 's'}`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      ...reporter,
      '--test-reporter-destination=stdout',
      ...phaseFiles,
    ],
    {
      stdio: 'inherit',
      env: { ...env, TMPDIR: privateTmp, TMP: privateTmp, TEMP: privateTmp, AUTOSTACK_TEST_COUNTS: counts },
    },
  );
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      let result = { passed: 0, failed: code === 0 ? 0 : 1, skipped: 0, skips: [] };
      if (existsSync(counts)) {
        result = JSON.parse(readFileSync(counts, 'utf8'));
        rmSync(counts, { force: true });
      }
      if (code !== 0 && result.failed === 0) result.failed = 1;
      if (signal) console.error(`${label}: the test runner was killed by ${signal}`);
      resolve(result);
    });
  });
}

/** Files in the checkout that git would show or that are ignored, minus the ones tooling owns. */
function checkoutState() {
  const result = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--ignored'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) return undefined;
  return new Set(
    result.stdout.split('\n').filter((line) => line && !/^(!!|\?\?) (node_modules|\.cache|dist)\//.test(line)),
  );
}

const unit = await runPhase('unit tests (source)', unitTests);
const bundle = await runPhase('bundle tests (dist)', bundleTests);

const problems = [];
// tsx keeps its compile cache in the temp directory (tsx-<uid>): ours, removed with the folder.
const leftInTmp = readdirSync(privateTmp).filter((name) => !/^tsx-/.test(name));
if (leftInTmp.length > 0)
  problems.push(
    `tests left ${leftInTmp.length} entr${leftInTmp.length === 1 ? 'y' : 'ies'} in the temp directory: ${leftInTmp.slice(0, 10).join(', ')}`,
  );
rmSync(privateTmp, { recursive: true, force: true });
const checkoutAfter = checkoutState();
if (checkoutBefore && checkoutAfter) {
  const added = [...checkoutAfter].filter((line) => !checkoutBefore.has(line));
  if (added.length > 0) problems.push(`tests changed the checkout: ${added.slice(0, 10).join(', ')}`);
}

const total = {
  passed: unit.passed + bundle.passed,
  failed: unit.failed + bundle.failed + problems.length,
  skipped: unit.skipped + bundle.skipped,
};
for (const problem of problems) console.error(`✗ ${problem}`);
// One closing line for both phases (TAP has node's own closing lines per phase).
if ((!tap && unitTests.length > 0 && bundleTests.length > 0) || problems.length > 0)
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
