// on.<event>.branches / tags filters: GitHub's filter pattern cheat sheet, case by case
// (docs.github.com, "Workflow syntax for GitHub Actions" → "Filter pattern cheat sheet").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import { filterPattern, matchTrigger } from '../../src/workflow/triggers.js';

const CHEAT_SHEET: Array<[pattern: string, matches: string[], misses: string[]]> = [
  ['feature/*', ['feature/my-branch', 'feature/your-branch'], ['feature/a/b', 'feature']],
  ['feature/**', ['feature/beta-a/my-branch', 'feature/your-branch', 'feature/mona/the/octocat'], ['feature']],
  ['main', ['main'], ['main2', 'mainline']],
  ['releases/mona-the-octocat', ['releases/mona-the-octocat'], ['releases/mona']],
  ['*', ['main', 'releases'], ['releases/10']],
  ['**', ['all/the/branches', 'every/tag', 'main'], []],
  ['*feature', ['mona-feature', 'feature', 'ver-10-feature'], ['a/feature']],
  ['v2*', ['v2', 'v2.0', 'v2.9'], ['v1', 'x/v2']],
  ['v[12].[0-9]+.[0-9]+', ['v1.10.1', 'v2.0.0'], ['v3.0.0', 'v1.x.1', 'v1..1']],
  ['**.js', ['app.js', 'index.js', 'js/index.js', 'src/js/app.js'], ['app.ts']],
  ['releases/**-alpha', ['releases/beta/3-alpha', 'releases/3-alpha'], ['releases/3-beta']],
  ['docs/*.md?', ['docs/a.md', 'docs/a.m'], ['docs/a.mdd', 'docs/x/a.md']],
  ['ver-1+', ['ver-1', 'ver-111'], ['ver-', 'ver-12']],
  ['fix/(urgent)@{x}', ['fix/(urgent)@{x}'], ['fix/urgent@x']],
  ['.hidden/*', ['.hidden/file'], []],
];

test('filter patterns match as GitHub documents them', () => {
  for (const [pattern, matches, misses] of CHEAT_SHEET) {
    const matcher = filterPattern(pattern);
    for (const value of matches) assert.ok(matcher(value), `${pattern} should match ${value}`);
    for (const value of misses) assert.ok(!matcher(value), `${pattern} should not match ${value}`);
  }
});

test('branches: ! excludes, and a later pattern includes again (last match wins)', () => {
  const events = { push: { branches: ['releases/**', '!releases/**-alpha', 'releases/keep-alpha'] } } as EventsConfig;
  const push = (branch: string) => matchTrigger(events, 'push', { ref: `refs/heads/${branch}` }).matched;
  assert.equal(push('releases/10'), true);
  assert.equal(push('releases/10-alpha'), false);
  assert.equal(push('releases/keep-alpha'), true);
  assert.equal(push('main'), false);
  const ignoring = { push: { 'branches-ignore': ['mona/octocat', 'releases/**-alpha'] } } as EventsConfig;
  assert.equal(matchTrigger(ignoring, 'push', { ref: 'refs/heads/releases/beta/3-alpha' }).matched, false);
  assert.equal(matchTrigger(ignoring, 'push', { ref: 'refs/heads/releases/beta/3' }).matched, true);
});
