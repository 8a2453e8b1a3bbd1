import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { Job, REPO_ROOT } from '../harness/job.js';

// Screenshots are kept for people to look at: test-artifacts/ is gitignored.
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
let home: string;
let browser: Browser;

interface Generated {
  name: string;
  status: 'success' | 'failure';
  durationMs: number;
  costUsd: number;
  attempt: number;
}

function writeRecords(directory: string): Generated[] {
  mkdirSync(directory, { recursive: true });
  const runs: Generated[] = [];
  const base = Date.parse('2026-11-30T00:00:00Z');
  for (let index = 0; index < 60; index++) {
    const name = ['triage', 'deploy', 'digest'][index % 3] as string;
    const status = index % 7 === 0 || (name === 'deploy' && index % 4 === 1) ? 'failure' : 'success';
    const durationMs = 1000 + ((index * 7919) % 50_000);
    const costUsd = Math.round(((index % 5) * 0.0123 + 0.001) * 1e6) / 1e6;
    const attempt = index % 11 === 0 ? 2 : 1;
    runs.push({ name, status, durationMs, costUsd, attempt });
    const startedAt = new Date(base + index * 1_800_000).toISOString();
    const record = {
      schema: 'autostack.run-record/v1',
      runId: `r${String(index).padStart(3, '0')}`,
      name,
      status,
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + durationMs).toISOString(),
      durationMs,
      github: {
        repository: 'octo-org/octo-repo',
        runId: String(9000 + index),
        runAttempt: String(attempt),
        runUrl: `https://github.com/octo-org/octo-repo/actions/runs/${9000 + index}`,
      },
      trigger: { event: 'push' },
      steps: [
        { id: 's1', name: 'checkout', status: 'success', startedAt, durationMs: 200 },
        {
          id: 's2',
          name: 'work',
          status,
          startedAt: new Date(Date.parse(startedAt) + 300).toISOString(),
          durationMs: durationMs - 400,
          ...(status === 'failure' ? { error: `work <b>broke</b> in run ${index}` } : {}),
        },
      ],
      totals: {
        modelCalls: 1,
        inputTokens: 100 * index,
        outputTokens: 10 * index,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd,
        toolCalls: 0,
        eventsPublished: 0,
      },
      systemsTouched: [],
      humanIntervened: attempt > 1,
      interventions: attempt > 1 ? ['octocat: re-ran the job (attempt 2)'] : [],
      errors: status === 'failure' ? [{ step: 's2', message: `work <b>broke</b> in run ${index}` }] : [],
      events: [
        {
          v: 1,
          ts: startedAt,
          run: `r${index}`,
          step: 's2',
          type: 'model.call',
          provider: 'anthropic',
          model: index % 2 ? 'claude-haiku' : 'claude-sonnet',
          inputTokens: 100 * index,
          outputTokens: 10 * index,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd,
          latencyMs: 500,
          retries: 0,
          cacheHit: false,
        },
      ],
    };
    writeFileSync(join(directory, `r${index}.json`), JSON.stringify(record));
  }
  return runs;
}

/** Nearest-rank percentile, computed here independently of src/. */
function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0;
}
const seconds = (ms: number) =>
  ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'autostack-dash-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // playwright gives the browser a fresh, empty profile of its own (and removes it on close).
  });
});
after(async () => {
  await browser?.close();
  rmSync(home, { recursive: true, force: true });
});

test('the HTML report renders in chromium from file:// with figures that match the records, and requests nothing', async () => {
  const records = join(home, 'records');
  const runs = writeRecords(records);
  const out = join(home, 'report.html');
  const job = new Job();
  const made = await job.cli([
    'dashboard',
    '--out',
    out,
    '--markdown',
    join(home, 'digest.md'),
    '--directory',
    records,
    '--dir',
    join(home, 'no-history'),
    '--hours',
    '48',
  ]);
  assert.equal(made.exitCode, 0, made.stderr);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(out).href);

  assert.equal(await page.textContent('[data-testid=total-runs]'), String(runs.length));
  const failures = runs.filter((run) => run.status === 'failure').length;
  assert.equal(await page.textContent('[data-testid=error-rate]'), `${((failures / runs.length) * 100).toFixed(1)}%`);
  assert.equal(await page.textContent('[data-testid=p95]'), seconds(p95(runs.map((run) => run.durationMs))));
  assert.equal(
    await page.textContent('[data-testid=human-runs]'),
    String(runs.filter((run) => run.attempt > 1).length),
  );
  for (const name of ['triage', 'deploy', 'digest']) {
    const mine = runs.filter((run) => run.name === name);
    const rate = mine.filter((run) => run.status === 'failure').length / mine.length;
    assert.equal(
      await page.textContent(`tr[data-automation="${name}"] [data-col=error-rate]`),
      `${(rate * 100).toFixed(1)}%`,
    );
    assert.equal(
      await page.textContent(`tr[data-automation="${name}"] [data-col=p95]`),
      seconds(p95(mine.map((run) => run.durationMs))),
    );
    const bar = page.locator(`#chart-error-rate g[data-label="${name}"] rect`);
    assert.ok((await bar.boundingBox())?.width ?? 0 > 0, 'error-rate bar drawn');
    assert.equal(
      Number(await page.locator(`#chart-error-rate g[data-label="${name}"]`).getAttribute('data-value')),
      rate,
    );
  }
  // Runs per hour: every run falls in the 48 h window; the drawn bars add up to the run count.
  const perHour = await page
    .locator('#chart-runs-per-hour g')
    .evaluateAll((groups) => groups.map((group) => Number(group.getAttribute('data-runs'))));
  assert.equal(
    perHour.reduce((sum, count) => sum + count, 0),
    runs.length,
  );
  // Failures link to GitHub and untrusted text stays text.
  const failureLink = page.locator('#failures a').first();
  assert.match(
    (await failureLink.getAttribute('href')) ?? '',
    /^https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/\d+$/,
  );
  assert.match((await page.textContent('#failures')) ?? '', /work <b>broke<\/b>/);
  // Drill-down: picking a failed run draws its step timeline.
  const failedIndex = await page
    .locator('#run-select option')
    .evaluateAll((options) => options.findIndex((option) => / failure /.test(option.textContent ?? '')));
  await page.selectOption('#run-select', String(failedIndex));
  assert.equal(await page.locator('#timeline g').count(), 2);
  assert.equal(await page.locator('#timeline g[data-step=work]').getAttribute('data-status'), 'failure');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  assert.deepEqual(
    requests.filter((request) => !request.startsWith('file://')),
    [],
    'no network request',
  );
  await page.close();

  const digest = readFileSync(join(home, 'digest.md'), 'utf8');
  assert.match(digest, new RegExp(`\\*\\*${runs.length} runs\\*\\*`));
  assert.match(digest, /\| triage \| 20 \|/);
});
