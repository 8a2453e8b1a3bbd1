// Regenerates the replay recordings beside the example prompts (workflows-examples/prompts/*.recordings.json),
// so `npm run demo` and the example tests run with no key and no network.
//
//   node scripts/build.mjs cli && node --import tsx scripts/record-examples.ts
//
// The answers come from the loopback Messages API fake with scripted replies (what a good model
// would say); the requests are exactly the ones the example workflows make on the sample event,
// because the workflows themselves run (autostack workflow run --record-prompts), so the
// recordings' request fingerprints match what replay looks up.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startAnthropicApi, textReply, toolUseReply } from '../test/fakes/anthropic-api.js';

const usage = { input_tokens: 412, output_tokens: 96 };

async function runWorkflow(file: string, url: string): Promise<void> {
  // AUTOSTACK_CLI_SOURCE=1 runs the runner from src/ (through tsx) instead of the bundle.
  const cli = process.env.AUTOSTACK_CLI_SOURCE ? ['--import', 'tsx', 'src/entries/cli.ts'] : ['dist/cli/index.js'];
  const args = [
    ...cli,
    'workflow',
    'run',
    file,
    '--event',
    'issues',
    '--payload',
    'workflows-examples/events/issue-opened.json',
    '--repository',
    'octo-org/octo-repo',
    '--record-prompts',
    '--no-follow',
    '--env',
    `ANTHROPIC_BASE_URL=${url}`,
    '--secret',
    'ANTHROPIC_API_KEY=sk-ant-recording-fake-key',
  ];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${file}: the recording run failed (exit ${code})`);
}

async function recordCase(promptFile: string, variables: Record<string, string>, url: string): Promise<void> {
  const args = [
    'dist/cli/index.js',
    'run-prompt',
    '--record',
    '--prompt-file',
    promptFile,
    '--input',
    stringifyYaml(variables),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-recording-fake-key' },
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${promptFile}: recording a test case failed (exit ${code})`);
}

const api = await startAnthropicApi();
try {
  rmSync('workflows-examples/prompts/triage.recordings.json', { force: true });
  rmSync('workflows-examples/prompts/summarize.recordings.json', { force: true });
  api.enqueue(
    toolUseReply(
      'github_add_labels',
      { number: 42, labels: ['bug', 'priority:high'] },
      { toolUseId: 'toolu_01TriageLabels42', id: 'msg_01TriageTurn1', usage, model: 'claude-sonnet-5-5' },
    ),
    textReply(
      JSON.stringify({
        category: 'bug',
        priority: 'high',
        labels: ['bug', 'priority:high'],
        summary:
          'The app crashes with a TypeError on an empty config.yml instead of using defaults or reporting a clear error.',
      }),
      { id: 'msg_01TriageTurn2', usage: { input_tokens: 530, output_tokens: 71 }, model: 'claude-sonnet-5-5' },
    ),
  );
  await runWorkflow('workflows-examples/issue-triage.yml', api.url);
  api.enqueue(
    textReply(
      JSON.stringify({
        summary:
          'An empty config.yml crashes the app with a TypeError; the reporter expects defaults or a clear error.',
        audience: 'maintainers',
      }),
      { id: 'msg_01DigestSummary', usage: { input_tokens: 160, output_tokens: 38 }, model: 'claude-sonnet-5-5' },
    ),
  );
  await runWorkflow('workflows-examples/reusable-caller.yml', api.url);
  // The eval gate of promote-prompt.yml runs summarize.prompt.yml's testData through run-prompt.
  const summarize = parseYaml(readFileSync('workflows-examples/prompts/summarize.prompt.yml', 'utf8')) as {
    testData: Array<Record<string, string>>;
  };
  for (const testCase of summarize.testData) {
    api.enqueue(
      textReply(JSON.stringify({ summary: `${testCase.title}.`, audience: testCase.expected }), {
        usage: { input_tokens: 120, output_tokens: 30 },
        model: 'claude-sonnet-5-5',
      }),
    );
    await recordCase('workflows-examples/prompts/summarize.prompt.yml', testCase, api.url);
  }
  console.log(`recorded ${api.requests.length} requests`);
} finally {
  await api.close();
}
