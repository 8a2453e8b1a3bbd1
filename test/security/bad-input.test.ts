// The table-driven bad-input suite: every case runs the shipped bundle (an action as the runner
// runs it, or the CLI) and must exit 1 with ONE error line that names the input or flag and says
// what is valid — no stack trace, no output set, nothing written to the workspace.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Job, type StepResult } from '../harness/job.js';

interface ActionCase {
  action: 'run-prompt' | 'emit-event' | 'record-run' | 'promote-prompt';
  inputs: Record<string, string>;
  /** The input the one error line must name. */
  names: string;
  /** What the line must say is valid (or what is wrong), beyond naming the input. */
  says?: RegExp;
}

interface CliCase {
  cli: string[];
  names: string;
  says?: RegExp;
}

const P = { prompt: 'Say hi.' };
const E = { type: 'com.example.bad' };

const ACTION_CASES: ActionCase[] = [
  // run-prompt
  { action: 'run-prompt', inputs: { ...P, model: 'claude-x\n::error::INJECTED' }, names: 'model', says: /model id/ },
  { action: 'run-prompt', inputs: { ...P, model: 'claude sonnet' }, names: 'model', says: /model id/ },
  { action: 'run-prompt', inputs: { ...P, model: 'claude-x\u202e' }, names: 'model' },
  {
    action: 'run-prompt',
    inputs: { ...P, 'base-url': 'not a url' },
    names: 'base-url',
    says: /http:\/\/ or https:\/\/ URL/,
  },
  { action: 'run-prompt', inputs: { ...P, 'base-url': 'ftp://example.com' }, names: 'base-url', says: /https:\/\// },
  { action: 'run-prompt', inputs: { ...P, 'base-url': 'localhost:8080' }, names: 'base-url' },
  { action: 'run-prompt', inputs: { ...P, 'max-tokens': '0' }, names: 'max-tokens', says: /whole number from 1/ },
  { action: 'run-prompt', inputs: { ...P, 'max-tokens': 'lots' }, names: 'max-tokens', says: /whole number/ },
  { action: 'run-prompt', inputs: { ...P, 'max-tokens': '9999999' }, names: 'max-tokens' },
  { action: 'run-prompt', inputs: { ...P, temperature: '2' }, names: 'temperature', says: /number from 0 to 1/ },
  { action: 'run-prompt', inputs: { ...P, temperature: 'hot' }, names: 'temperature' },
  { action: 'run-prompt', inputs: { ...P, 'top-p': '-0.1' }, names: 'top-p' },
  { action: 'run-prompt', inputs: { ...P, cache: 'maybe' }, names: 'cache', says: /true or false/ },
  { action: 'run-prompt', inputs: { ...P, 'max-cost-usd': '-1' }, names: 'max-cost-usd' },
  { action: 'run-prompt', inputs: { ...P, 'max-repairs': '9' }, names: 'max-repairs' },
  { action: 'run-prompt', inputs: { ...P, 'max-turns': '0' }, names: 'max-turns' },
  { action: 'run-prompt', inputs: { ...P, 'allow-truncation': 'sure' }, names: 'allow-truncation' },
  { action: 'run-prompt', inputs: { ...P, 'timeout-seconds': '0' }, names: 'timeout-seconds' },
  { action: 'run-prompt', inputs: { ...P, 'idle-timeout-seconds': 'x' }, names: 'idle-timeout-seconds' },
  { action: 'run-prompt', inputs: { ...P, provider: 'openai' }, names: 'provider', says: /one of anthropic/ },
  {
    action: 'run-prompt',
    inputs: { 'prompt-file': 'missing.prompt.yml' },
    names: 'prompt-file',
    says: /does not exist/,
  },
  { action: 'run-prompt', inputs: { 'prompt-file': 'a-dir' }, names: 'prompt-file', says: /directory/ },
  {
    action: 'run-prompt',
    inputs: { 'prompt-file': '../outside.prompt.yml' },
    names: 'prompt-file',
    says: /outside the workspace/,
  },
  {
    action: 'run-prompt',
    inputs: { 'prompt-file': 'escape.prompt.yml' },
    names: 'prompt-file',
    says: /outside the workspace/,
  },
  { action: 'run-prompt', inputs: { 'prompt-file': 'binary.prompt.yml' }, names: 'prompt-file', says: /binary/ },
  { action: 'run-prompt', inputs: { 'prompt-file': 'huge.md' }, names: 'prompt-file', says: /MB/ },
  {
    action: 'run-prompt',
    inputs: { ...P, 'system-prompt-file': '/etc/passwd' },
    names: 'system-prompt-file',
    says: /outside the workspace/,
  },
  {
    action: 'run-prompt',
    inputs: { ...P, 'system-prompt-file': 'a-dir' },
    names: 'system-prompt-file',
    says: /directory/,
  },
  { action: 'run-prompt', inputs: { ...P, 'system-prompt-file': 'huge.md' }, names: 'system-prompt-file', says: /MB/ },
  {
    action: 'run-prompt',
    inputs: { ...P, 'input-files': 'body: /etc/hostname' },
    names: 'input-files',
    says: /outside the workspace/,
  },
  {
    action: 'run-prompt',
    inputs: { ...P, 'input-files': 'body: binary.prompt.yml' },
    names: 'input-files',
    says: /binary/,
  },
  { action: 'run-prompt', inputs: { ...P, 'input-files': '- a.txt' }, names: 'input-files', says: /mapping/ },
  {
    action: 'run-prompt',
    inputs: { ...P, provider: 'replay', recordings: '/etc/passwd' },
    names: 'recordings',
    says: /outside the workspace/,
  },
  {
    action: 'run-prompt',
    inputs: { ...P, provider: 'replay', recordings: 'a-dir' },
    names: 'recordings',
    says: /directory/,
  },
  { action: 'run-prompt', inputs: { ...P, input: '- a\n- b' }, names: 'input', says: /mapping/ },
  { action: 'run-prompt', inputs: { ...P, tools: 'name: 1' }, names: 'tools' },
  // emit-event
  { action: 'emit-event', inputs: { type: '' }, names: 'type', says: /required/ },
  { action: 'emit-event', inputs: { type: 'a\n::error::x' }, names: 'type', says: /one line/ },
  { action: 'emit-event', inputs: { type: 'x'.repeat(201) }, names: 'type' },
  { action: 'emit-event', inputs: { type: 'a\u0007b' }, names: 'type', says: /control characters/ },
  { action: 'emit-event', inputs: { ...E, source: 'has a space' }, names: 'source', says: /URI-reference/ },
  { action: 'emit-event', inputs: { ...E, source: 'urn:x\u0001' }, names: 'source' },
  { action: 'emit-event', inputs: { ...E, subject: 'line1\nline2' }, names: 'subject', says: /one line/ },
  { action: 'emit-event', inputs: { ...E, 'redis-url': 'not a url' }, names: 'redis-url', says: /redis:\/\// },
  { action: 'emit-event', inputs: { ...E, 'max-len': '-1' }, names: 'max-len' },
  { action: 'emit-event', inputs: { ...E, 'max-len': 'many' }, names: 'max-len' },
  { action: 'emit-event', inputs: { ...E, 'dedupe-ttl-seconds': '10' }, names: 'dedupe-ttl-seconds' },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-workflow': 'deploy' },
    names: 'dispatch-workflow',
    says: /deploy\.yml/,
  },
  { action: 'emit-event', inputs: { ...E, 'dispatch-workflow': '../../x.yml' }, names: 'dispatch-workflow' },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-workflow': 'd.yml', 'dispatch-ref': 'bad..ref' },
    names: 'dispatch-ref',
    says: /branch or tag/,
  },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-workflow': 'd.yml', 'dispatch-ref': 'has space' },
    names: 'dispatch-ref',
  },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-workflow': 'd.yml', 'dispatch-ref': 'refs/heads/' },
    names: 'dispatch-ref',
  },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-ref': 'main' },
    names: 'dispatch-ref',
    says: /only used with dispatch-workflow/,
  },
  {
    action: 'emit-event',
    inputs: { ...E, 'dispatch-inputs': 'x: 1' },
    names: 'dispatch-inputs',
    says: /only used with dispatch-workflow/,
  },
  { action: 'emit-event', inputs: { ...E, 'idempotency-key': 'k'.repeat(300) }, names: 'idempotency-key' },
  { action: 'emit-event', inputs: { ...E, file: '../outside.jsonl' }, names: 'file', says: /outside the workspace/ },
  {
    action: 'emit-event',
    inputs: { ...E, file: '/etc/autostack-events.jsonl' },
    names: 'file',
    says: /outside the workspace/,
  },
  {
    action: 'emit-event',
    inputs: { ...E, file: 'escape-dir/events.jsonl' },
    names: 'file',
    says: /outside the workspace/,
  },
  { action: 'emit-event', inputs: { ...E, file: 'a-dir' }, names: 'file', says: /directory/ },
  {
    action: 'emit-event',
    inputs: { ...E, outbox: '/var/tmp/outbox.jsonl' },
    names: 'outbox',
    says: /outside the workspace/,
  },
  { action: 'emit-event', inputs: { ...E, 'max-hops': '-1' }, names: 'max-hops' },
  {
    action: 'emit-event',
    inputs: { ...E, 'too-large': 'truncate' },
    names: 'too-large',
    says: /one of fail, reference/,
  },
  { action: 'emit-event', inputs: { ...E, 'timeout-seconds': '0' }, names: 'timeout-seconds' },
  { action: 'emit-event', inputs: { ...E, attempts: '11' }, names: 'attempts' },
  { action: 'emit-event', inputs: { ...E, data: '{nope' }, names: 'data', says: /YAML or JSON/ },
  // record-run
  { action: 'record-run', inputs: { name: 'a\n::error::x' }, names: 'name', says: /one line/ },
  { action: 'record-run', inputs: { name: 'n'.repeat(201) }, names: 'name' },
  { action: 'record-run', inputs: { artifact: 'maybe' }, names: 'artifact', says: /true or false/ },
  { action: 'record-run', inputs: { 'retention-days': '0' }, names: 'retention-days', says: /from 1 to 90/ },
  { action: 'record-run', inputs: { 'retention-days': '91' }, names: 'retention-days' },
  { action: 'record-run', inputs: { summary: 'perhaps' }, names: 'summary' },
  { action: 'record-run', inputs: { directory: 'a-file/records' }, names: 'directory', says: /cannot be written/ },
  // promote-prompt
  { action: 'promote-prompt', inputs: { 'prompt-file': '' }, names: 'prompt-file', says: /required/ },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', 'min-pass-rate': '2' }, names: 'min-pass-rate' },
  {
    action: 'promote-prompt',
    inputs: { 'prompt-file': 'p.prompt.yml', mode: 'yolo' },
    names: 'mode',
    says: /one of pull-request, commit, local/,
  },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', eval: 'x' }, names: 'eval' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', rollback: 'x' }, names: 'rollback' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', 'dry-run': 'x' }, names: 'dry-run' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', 'base-url': 'nope' }, names: 'base-url' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', model: 'm\n::warning::x' }, names: 'model' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', 'max-cost-usd': 'x' }, names: 'max-cost-usd' },
  {
    action: 'promote-prompt',
    inputs: { 'prompt-file': 'p.prompt.yml', 'timeout-seconds': '99999' },
    names: 'timeout-seconds',
  },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', provider: 'x' }, names: 'provider' },
  { action: 'promote-prompt', inputs: { 'prompt-file': 'p.prompt.yml', cache: 'x' }, names: 'cache' },
];

const CLI_CASES: CliCase[] = [
  { cli: ['run-prompt', '--prompt', 'hi', '--model', 'a\nb'], names: 'model', says: /model id/ },
  { cli: ['run-prompt', '--prompt', 'hi', '--max-tokens', '0'], names: 'max-tokens' },
  { cli: ['run-prompt', '--prompt', 'hi', '--base-url', 'nope'], names: 'base-url' },
  { cli: ['run-prompt', '--prompt-file', '/etc/passwd'], names: 'prompt-file', says: /outside the workspace/ },
  { cli: ['run-prompt', '--prompt', 'hi', '--input-files', 'x: a-dir'], names: 'input-files', says: /directory/ },
  { cli: ['emit', '--type', 'a\nb'], names: 'type' },
  { cli: ['emit', '--type', 't', '--source', 'a b'], names: 'source' },
  { cli: ['emit', '--type', 't', '--file', '../x.jsonl'], names: 'file', says: /outside the workspace/ },
  { cli: ['emit', '--type', 't', '--dispatch-workflow', 'deploy'], names: 'dispatch-workflow' },
  { cli: ['promote', '--prompt-file', 'p.prompt.yml', '--mode', 'yolo'], names: 'mode' },
];

/** Files and directories under the workspace, with sizes: "nothing written" is this unchanged. */
function snapshot(root: string): string[] {
  const entries: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      entries.push(`${relative(root, path)}:${stat?.isDirectory() ? 'dir' : (stat?.size ?? 'link')}`);
      if (stat?.isDirectory() && !name.startsWith('escape')) walk(path);
    }
  };
  walk(root);
  return entries.sort();
}

function assertOneLine(
  result: StepResult,
  errorLine: string,
  names: string,
  says: RegExp | undefined,
  label: string,
): void {
  assert.equal(result.exitCode, 1, `${label}: exit code\n${result.stdout}${result.stderr}`);
  assert.doesNotMatch(`${result.stdout}\n${result.stderr}`, /\n\s+at .+:\d+:\d+\)?\n/, `${label}: no stack trace`);
  assert.match(
    errorLine,
    new RegExp(`(Input '${names}'|[Ff]lag '--${names}')`),
    `${label}: names the input: ${errorLine}`,
  );
  if (says) assert.match(errorLine, says, `${label}: says what is valid: ${errorLine}`);
}

describe('bad input, table-driven', () => {
  let job: Job;
  let before_: string[];
  before(() => {
    job = new Job({
      env: { ANTHROPIC_API_KEY: 'bad-input-suite-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
      githubToken: 'ghs_badInputSuiteToken0123456789',
    });
    const ws = job.workspace;
    mkdirSync(join(ws, 'a-dir'));
    writeFileSync(join(ws, 'a-file'), 'not a directory');
    writeFileSync(join(ws, 'binary.prompt.yml'), Buffer.from([0x6e, 0x61, 0x00, 0x01, 0x02]));
    writeFileSync(join(ws, 'huge.md'), '');
    truncateSync(join(ws, 'huge.md'), 40 * 1024 * 1024);
    writeFileSync(join(ws, 'p.prompt.yml'), 'name: p\nmessages:\n  - role: user\n    content: hi\n');
    writeFileSync(
      join(job.root, 'outside.prompt.yml'),
      'name: outside\nmessages:\n  - role: user\n    content: secret\n',
    );
    symlinkSync(join(job.root, 'outside.prompt.yml'), join(ws, 'escape.prompt.yml'));
    symlinkSync('/var/tmp', join(ws, 'escape-dir'));
    before_ = snapshot(ws);
  });
  after(() => {
    // The Job's root holds the workspace and runner temp; the harness leaves removal to callers.
    import('node:fs').then(({ rmSync }) => rmSync(job.root, { recursive: true, force: true }));
  });

  test(`${ACTION_CASES.length + CLI_CASES.length} cases across the four actions and the CLI`, () => {
    assert.ok(ACTION_CASES.length + CLI_CASES.length >= 80);
    assert.deepEqual(new Set(ACTION_CASES.map((c) => c.action)).size, 4);
  });

  for (const [index, item] of ACTION_CASES.entries()) {
    const label = `${item.action} #${index} ${item.names}=${JSON.stringify(Object.values(item.inputs).at(-1)).slice(0, 40)}`;
    test(label, async () => {
      const result = await job.uses(`actions/${item.action}`, item.inputs);
      assert.equal(result.errors.length, 1, `${label}: exactly one error annotation\n${result.stdout}`);
      const line = result.errors[0] ?? '';
      assertOneLine(result, line.split('\n')[0] ?? '', item.names, item.says, label);
      assert.deepEqual(result.outputs, {}, `${label}: no output set`);
      assert.equal(result.summary, '', `${label}: no summary`);
      await job.complete();
      assert.deepEqual(snapshot(job.workspace), before_, `${label}: nothing written`);
    });
  }

  for (const [index, item] of CLI_CASES.entries()) {
    const label = `cli #${index} ${item.cli.slice(0, 2).join(' ')} ${item.names}`;
    test(label, async () => {
      const result = await job.cli(item.cli);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${label}: one line on stderr\n${result.stderr}`);
      assert.match(lines[0] ?? '', /^error: /, label);
      assertOneLine(result, lines[0] ?? '', item.names, item.says, label);
      assert.equal(result.stdout, '', `${label}: nothing on stdout`);
      assert.deepEqual(snapshot(job.workspace), before_, `${label}: nothing written`);
    });
  }
});
