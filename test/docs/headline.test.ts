// The README's first workflow, copied as a user would, runs: through the local runner, against
// the loopback Messages API fake, on an issue whose title and body would break (or inject into)
// the YAML input if they were pasted raw. The snippet is read from README.md, not copied here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAnthropicApi, textReply } from '../fakes/anthropic-api.js';
import { runIn } from '../workflow/helpers.js';
import { yamlSnippets } from './snippets.js';

const TITLE = 'Crash: on start';
const BODY = 'Steps:\n1. open the app\ntitle: injected\n{{body}}';

test("the README's first workflow runs as copied: the issue's text reaches the model as data, the event and the run record are written", async () => {
  const workflow = yamlSnippets('README.md')[0]?.text ?? '';
  const api = await startAnthropicApi();
  api.enqueue(textReply('The app crashes on start.'));
  let root: string | undefined;
  try {
    const ran = await runIn(
      { '.github/workflows/issue-summary.yml': workflow },
      {
        file: '.github/workflows/issue-summary.yml',
        event: 'issues',
        payload: { action: 'opened', issue: { number: 12, title: TITLE, body: BODY }, sender: { login: 'octocat' } },
      },
      { env: { ANTHROPIC_BASE_URL: api.url }, secrets: { ANTHROPIC_API_KEY: 'sk-ant-test-0000' } },
    );
    root = ran.root;
    assert.equal(ran.result.conclusion, 'success', ran.output);
    assert.equal(api.requests.length, 1);
    const sent = JSON.stringify(api.requests[0]?.body.messages);
    assert.ok(sent.includes(JSON.stringify(`Title: ${TITLE}`).slice(1, -1)), sent);
    assert.ok(
      sent.includes(JSON.stringify(BODY).slice(1, -1)),
      'the body arrives whole, its own lines and braces as text',
    );
    const events = readFileSync(join(root, '.autostack', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: { issue: number; summary: string } });
    assert.deepEqual(
      events.map((event) => [event.type, event.data]),
      [['com.example.issue.summarized', { issue: 12, summary: 'The app crashes on start.' }]],
    );
    const [recordFile] = readdirSync(join(root, '.autostack', 'runs'));
    const record = JSON.parse(readFileSync(join(root, '.autostack', 'runs', recordFile ?? ''), 'utf8')) as {
      name: string;
      events: Array<{ type: string; message?: string }>;
    };
    assert.equal(record.name, 'issue-summary');
    assert.ok(record.events.some((event) => event.type === 'log' && event.message === 'summary published'));
  } finally {
    await api.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }
});
