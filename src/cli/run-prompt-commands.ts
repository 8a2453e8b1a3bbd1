import { type Command, Option } from 'commander';
import { withSchemaEngine } from '../prompts/engine.js';
import { parseYamlInput, runPromptInputs, runPromptSpec } from '../actions/run-prompt-inputs.js';
import { runPromptStep } from '../actions/run-prompt.js';
import { createConsoleIo } from '../io/console-io.js';
import { readGitHubContext } from '../io/github-context.js';
import { addInputFlags, camel } from './flags.js';
import { InputError, UserError } from '../shared/errors.js';
import { runnerPorts } from '../ports/runner.js';
import { redact } from '../shared/redact.js';

/** One line per flag; an input without an entry here still gets its flag (named after the input). */
const FLAG_HELP: Record<string, string> = {
  prompt: 'inline prompt text (one user message)',
  'prompt-file': 'prompt file: .prompt.yml (GitHub Models), .md or .txt',
  channel: 'with --prompt-file: run the version promoted to this channel (promote-prompt)',
  input: 'YAML mapping of template variables, e.g. "title: Crash"',
  'input-files': 'YAML mapping of template variables to files',
  'system-prompt': 'system prompt text',
  'system-prompt-file': 'file holding a system prompt',
  model: 'Claude model id',
  'max-tokens': 'maximum output tokens per call',
  temperature: 'sampling temperature 0-1',
  'top-p': 'nucleus sampling 0-1',
  schema: 'JSON Schema for the reply (inline or a path)',
  tools: 'YAML list of tools the model may call',
  untrusted: 'variables written by others (comma-separated): delivered delimited, cleaned of hidden text',
  cache: 'serve identical requests from the response cache (true/false)',
  'max-cost-usd': 'budget in USD; a call that could exceed it is not made',
  'max-repairs': 'repair turns for a reply that fails the schema (0-5)',
  'max-turns': 'maximum model calls in the tool loop',
  'allow-truncation': 'accept a reply cut off at max-tokens (true/false)',
  'timeout-seconds': 'total time for each model call, retries included',
  'idle-timeout-seconds': 'retry a request that receives nothing for this long',
  provider: 'anthropic, bedrock, vertex or replay (default: env AUTOSTACK_PROVIDER, else anthropic)',
  recordings: 'recordings file (default: <prompt>.recordings.json beside the prompt)',
  'custom-headers': 'YAML/JSON mapping of headers sent with every model request',
  'aws-region': 'bedrock: AWS region (default: env AWS_REGION)',
  'aws-role-to-assume': 'bedrock: IAM role assumed with the GitHub OIDC token (in Actions only)',
  'aws-role-session-name': 'bedrock: session name for that role',
  'vertex-project': 'vertex: Google Cloud project (default: env GOOGLE_CLOUD_PROJECT)',
  'vertex-region': 'vertex: region (default: env CLOUD_ML_REGION, else global)',
  'gcp-workload-identity-provider': 'vertex: workload identity provider for the GitHub OIDC token (in Actions only)',
  'gcp-service-account': 'vertex: service account to impersonate',
  'anthropic-api-key': 'API key (default: env ANTHROPIC_API_KEY)',
  'base-url': 'Messages API base URL (default: env ANTHROPIC_BASE_URL)',
  'github-token': 'token for the GitHub tools (default: env GITHUB_TOKEN)',
  mode: 'messages (live calls) or message-batches (the batch file through the Message Batches API, half price)',
  'batch-file': 'same as --batch',
  'batch-results-file': 'with --batch: results file (default: <batch>.results.jsonl beside it; the resume checkpoint)',
  'batch-concurrency': 'with --batch: items in flight at most (1-64, default 8; halved on 429s)',
  'batch-fail-on-error': 'with --batch: exit non-zero when any item failed (default true)',
  'batch-timeout-minutes': 'how long to wait for the message batch to end (it keeps running; a re-run collects it)',
};

type Print = 'reply' | 'text' | 'json' | 'outputs';

/**
 * `autostack run-prompt`: the action on a terminal. Flags are the action's input names and go
 * through the same zod schema (runPromptSpec); the reply goes to stdout, the log to stderr.
 * `--record` calls the live API and stores every answer by request fingerprint in the
 * recordings file, which `--provider replay` (or `provider: replay` in a workflow) serves.
 */
export function registerRunPromptCommands(program: Command): void {
  const command = program
    .command('run-prompt')
    .description('run a prompt file against Claude (or replay recorded answers): the run-prompt action on a terminal');
  for (const name of MAPPING_FLAGS)
    command.option(`--${name} <yaml>`, `${FLAG_HELP[name] ?? name} (repeatable; the mappings are merged)`, collect);
  addInputFlags(command, runPromptInputs, FLAG_HELP, (name) => MAPPING_FLAGS.has(name));
  command
    .option('--batch <file>', 'JSON Lines file of variable sets: run the prompt once per line, results as JSON Lines')
    .option('--json', "print the action's outputs as JSON (same as --print outputs)")
    .option('--record', 'call the live API and store each answer in the recordings file (turns the cache off)')
    .addOption(
      new Option(
        '--print <what>',
        'what goes to stdout: reply (json when a schema is set, else text), text, json, or outputs (every output as JSON)',
      )
        .choices(['reply', 'text', 'json', 'outputs'])
        .default('reply'),
    )
    .action(async (options: Record<string, unknown>) => {
      const flags = await withSchemaEngine(() => flagValues(options));
      if (typeof options.batch === 'string') {
        if (flags.has('batch-file'))
          throw new UserError("Flags '--batch' and '--batch-file' are the same; give one of them.");
        flags.set('batch-file', options.batch);
      }
      const record = options.record === true;
      if (record) {
        if (flags.get('provider') === 'replay')
          throw new UserError("Flag '--record' needs the live API; it cannot be combined with --provider replay.");
        // A cache hit would answer without a call, leaving nothing to record.
        flags.set('cache', 'false');
        // Recording needs a live provider: the Anthropic API unless a cloud one was chosen.
        if (!['bedrock', 'vertex'].includes(flags.get('provider') ?? '')) flags.set('provider', 'anthropic');
      }
      const io = createConsoleIo();
      const { spec, secrets } = await withSchemaEngine(() =>
        runPromptSpec((name) => flags.get(name), {
          env: process.env,
          github: readGitHubContext(),
          workspace: process.cwd(),
          record,
          ports: runnerPorts(process.env),
        }),
      );
      for (const secret of secrets) io.setSecret(secret);
      const { batch, messageBatch } = spec;
      if (batch || messageBatch) {
        // Both print the outputs: the counts, tokens and where the results file is.
        const steps = await import('../actions/run-prompt-batch.js');
        if (batch) await steps.runPromptBatchStep(io, { ...spec, batch });
        else if (messageBatch) await steps.runMessageBatchStep(io, spec, messageBatch);
        process.stdout.write(redact(`${JSON.stringify(Object.fromEntries(io.outputs), null, 2)}\n`));
        return;
      }
      const print = options.json === true ? 'outputs' : (options.print as Print);
      const result = await runPromptStep(io, spec);
      if (print === 'outputs') {
        process.stdout.write(redact(`${JSON.stringify(Object.fromEntries(io.outputs), null, 2)}\n`));
      } else if (print === 'json' || (print === 'reply' && result.hasJson)) {
        if (!result.hasJson)
          throw new UserError("Flag '--print json' needs a schema (the prompt file's jsonSchema or --schema).");
        process.stdout.write(redact(`${JSON.stringify(result.json, null, 2)}\n`));
      } else {
        process.stdout.write(redact(result.text.endsWith('\n') ? result.text : `${result.text}\n`));
      }
    });
}

/** Inputs holding a YAML mapping: on the CLI they may be given several times. */
const MAPPING_FLAGS = new Set(['input', 'input-files']);

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The flags by input name; a repeated mapping flag (`--input`) is merged into one. */
function flagValues(options: Record<string, unknown>): Map<string, string> {
  const flags = new Map<string, string>();
  for (const name of Object.keys(runPromptInputs)) {
    const value = options[camel(name)];
    if (typeof value === 'string' || typeof value === 'boolean') flags.set(name, String(value));
    if (Array.isArray(value) && value.length > 0) flags.set(name, mergeMappings(name, value as string[]));
  }
  return flags;
}

/** `--input 'a: 1' --input 'b: 2'` is `a: 1` and `b: 2`; one flag is passed on untouched. */
function mergeMappings(name: string, values: string[]): string {
  if (values.length === 1) return values[0] ?? '';
  const merged: Record<string, unknown> = {};
  for (const text of values) {
    const value = parseYamlInput(name, text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new InputError(name, `must be a YAML mapping each time it is given (got '${text.slice(0, 40)}')`);
    Object.assign(merged, value);
  }
  return JSON.stringify(merged);
}
