// Expression evaluation through GitHub's own evaluator: status functions, hashFiles, string
// conversion, interpolation, and errors that name where the expression is.
import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateCondition, evaluateExpression, interpolate, stringify } from '../../src/workflow/expressions.js';

const contexts = {
  github: { event_name: 'issues', event: { issue: { number: 7, labels: [{ name: 'bug' }, { name: 'ui' }] } } },
  steps: { a: { outputs: { json: '{"n":3,"tags":["x","y"]}' }, outcome: 'failure', conclusion: 'success' } },
};

test('built-in functions, property filters and case-insensitive contexts', () => {
  const scope = { contexts, where: 't.yml:1' };
  assert.equal(evaluateExpression("contains(github.event.issue.labels.*.name, 'ui')", scope), true);
  assert.equal(evaluateExpression('fromJSON(steps.a.outputs.json).n', scope), 3);
  assert.equal(evaluateExpression("join(fromJSON(steps.a.outputs.json).tags, '+')", scope), 'x+y');
  assert.equal(
    evaluateExpression("format('#{0} {1}', github.event.issue.number, GITHUB.EVENT_NAME)", scope),
    '#7 issues',
  );
  assert.equal(evaluateExpression('github.event.nothing.here', scope), null);
  assert.equal(evaluateExpression("startsWith(github.event_name, 'ISS')", scope), true);
});

test('status functions follow the state they are given', () => {
  const where = 't.yml:2';
  const ok = { success: true, failure: false, cancelled: false };
  const failed = { success: false, failure: true, cancelled: false };
  const cancelled = { success: false, failure: false, cancelled: true };
  assert.equal(evaluateCondition('success()', { contexts, status: ok, where }), true);
  assert.equal(evaluateCondition('success()', { contexts, status: failed, where }), false);
  assert.equal(evaluateCondition('failure()', { contexts, status: failed, where }), true);
  assert.equal(evaluateCondition('cancelled()', { contexts, status: cancelled, where }), true);
  assert.equal(evaluateCondition('success()', { contexts, status: cancelled, where }), false);
  assert.equal(evaluateCondition('always()', { contexts, status: cancelled, where }), true);
  assert.equal(evaluateCondition("success() && (steps.a.outcome == 'failure')", { contexts, status: ok, where }), true);
});

test('hashFiles hashes matching workspace files and is empty when nothing matches', () => {
  const workspace = tempDir('autostack-hash-');
  writeFileSync(join(workspace, 'a.lock'), 'one');
  const scope = { contexts, workspace, where: 't.yml:3' };
  const first = evaluateExpression("hashFiles('**/*.lock')", scope);
  assert.match(String(first), /^[0-9a-f]{64}$/);
  writeFileSync(join(workspace, 'a.lock'), 'two');
  assert.notEqual(evaluateExpression("hashFiles('**/*.lock')", scope), first);
  assert.equal(evaluateExpression("hashFiles('*.none')", scope), '');
});

test('values become strings the way the runner writes them', () => {
  assert.equal(stringify(null), '');
  assert.equal(stringify(true), 'true');
  assert.equal(stringify(1.5), '1.5');
  assert.equal(stringify({ a: 1 }), '{\n  "a": 1\n}');
  assert.equal(
    interpolate("n=${{ github.event.issue.number }} s=${{ 'a}}b' }} f=${{ format('{0}}}', 'x') }} end", {
      contexts,
      where: 't.yml:4',
    }),
    'n=7 s=a}}b f=x} end',
  );
});

test('an expression that cannot be evaluated names the file and line', () => {
  assert.throws(
    () => evaluateExpression('fromJSON(github.event_name)', { contexts, where: 'wf.yml:12' }),
    /^UserError: wf\.yml:12: cannot evaluate \$\{\{ fromJSON\(github\.event_name\) \}\}/,
  );
  assert.throws(
    () => interpolate('${{ github.event_name', { contexts, where: 'wf.yml:13' }),
    /wf\.yml:13: an expression is not closed/,
  );
});

test("every '' in a string literal is an escaped quote (works around @actions/expressions 0.3.61 un-escaping only the first)", () => {
  const scope = { contexts: { github: { sha: 'S' } }, where: 't.yml:5' };
  assert.equal(evaluateExpression("'a ''x'' b ''y'''", scope), "a 'x' b 'y'");
  assert.equal(
    evaluateExpression("format('grep -o ''{0}'' | head -1 # ''done''', github.sha)", scope),
    "grep -o 'S' | head -1 # 'done'",
  );
});
