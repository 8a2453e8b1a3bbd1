import type { Command } from 'commander';
import { promotePromptInputs, promotePromptSpec } from '../actions/promote-prompt-inputs.js';
import { promotePromptStep } from '../actions/promote-prompt.js';
import { createConsoleIo } from '../io/console-io.js';
import { readGitHubContext } from '../io/github-context.js';
import { addInputFlags, flagReader } from './flags.js';
import { runnerPorts } from '../ports/runner.js';
import { redact } from '../shared/redact.js';

const FLAG_HELP: Record<string, string> = {
  'prompt-file': 'prompt file to promote (.prompt.yml, .md, .txt)',
  channel: 'channel to promote to (default production)',
  version: 'what to promote: empty = the file as it is; a channel, content hash or version in the lock',
  eval: 'run the eval gate (true/false, default true)',
  'min-pass-rate': 'share of test cases that must pass, 0-1 (default 1.0)',
  concurrency: 'test case runs in flight at once, 1-32 (default 4; halves while the API answers 429/529)',
  repeat: "runs per test case, 1-100 (default: the prompt file's repeat, else 1); repeated runs skip the cache",
  'min-passes': 'runs of a case that must pass (default: every run)',
  mode: 'local (default here: write the lock file in this checkout), commit, or pull-request',
  rollback: "promote the channel's previous version again (true/false)",
  'dry-run': 'evaluate and report, write nothing (true/false)',
  'base-branch': 'branch holding the lock file (commit / pull-request modes)',
  'github-token': 'token for commit / pull-request modes (default: env GITHUB_TOKEN)',
  provider: 'anthropic or replay (default: env AUTOSTACK_PROVIDER, else anthropic)',
  recordings: 'recordings file (default: <prompt>.recordings.json beside the prompt)',
  'anthropic-api-key': 'API key (default: env ANTHROPIC_API_KEY)',
  'base-url': 'Messages API base URL (default: env ANTHROPIC_BASE_URL)',
  model: 'Claude model for the test cases',
  cache: 'serve unchanged cases from the response cache (true/false)',
  'max-cost-usd': 'budget in USD for each test case',
  'timeout-seconds': 'total time for each model call, retries included',
};

/**
 * `autostack promote`: the promote-prompt action on a terminal. Same inputs as flags, through the
 * same zod schema; the default mode here is `local` (write .autostack/prompts.lock.yml and the
 * snapshot in this checkout, to commit yourself). The report goes to stderr; `--json` prints the
 * outputs as JSON on stdout.
 */
export function registerPromoteCommands(program: Command): void {
  const command = program
    .command('promote')
    .description(
      'promote a prompt version to a channel behind its eval gate (default --mode local: writes the lock file here)',
    );
  addInputFlags(command, promotePromptInputs, FLAG_HELP);
  command.option('--json', 'print the outputs as JSON on stdout').action(async (options: Record<string, unknown>) => {
    const io = createConsoleIo();
    const { spec, secrets } = promotePromptSpec(flagReader(options), {
      env: process.env,
      github: readGitHubContext(),
      workspace: process.cwd(),
      defaultMode: 'local',
      ports: runnerPorts(process.env),
    });
    for (const secret of secrets) io.setSecret(secret);
    try {
      await promotePromptStep(io, spec);
    } finally {
      // A refusal still prints its outputs (refused=true, the pass rate); a failure before them prints nothing.
      if (options.json === true && io.outputs.size > 0)
        process.stdout.write(redact(`${JSON.stringify(Object.fromEntries(io.outputs), null, 2)}\n`));
    }
  });
}
