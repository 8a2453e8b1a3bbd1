import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  type EmitEnvironment,
  emitEventInputs,
  emitEventSpec,
  emitEventWaitInputs,
} from '../actions/emit-event-inputs.js';
import { runnerPorts } from '../ports/runner.js';
import { emitStep } from '../actions/emit-event.js';
import { emitEvent } from '../events/emit.js';
import { listOutbox } from '../events/outbox.js';
import { batchEvents, validateBatch } from '../events/batch.js';
import { publishEventStream } from '../events/redis-batch.js';
import { openRedis } from '../events/redis.js';
import { type ConsoleIo, createConsoleIo } from '../io/console-io.js';
import { readGitHubContext } from '../io/github-context.js';
import type { StepIo } from '../io/io.js';
import { inJournaledStep } from '../runs/step.js';
import { errorMessage, InputError } from '../shared/errors.js';
import { addInputFlags, type FlagReader, flagReader } from './flags.js';
import { redact } from '../shared/redact.js';

const FLAG_HELP: Record<string, string> = {
  type: 'CloudEvent type (required unless --batch)',
  data: 'payload, YAML or JSON',
  source: 'CloudEvent source (default: the repository URL, or urn:autostack:local)',
  subject: 'CloudEvent subject',
  'redis-url': 'redis:// or rediss:// URL (default: env REDIS_URL)',
  stream: 'Redis stream key (default autostack:events)',
  'max-len': 'approximate stream length cap (XADD MAXLEN ~)',
  'dedupe-ttl-seconds': 'how long Redis remembers an idempotency key',
  'dispatch-repository': 'owner/repo for repository_dispatch',
  'dispatch-workflow': 'workflow file or id for workflow_dispatch',
  'dispatch-ref': 'ref for workflow_dispatch',
  'dispatch-inputs': 'workflow_dispatch inputs, YAML mapping',
  'github-token': 'token for dispatching (default: env GITHUB_TOKEN)',
  'idempotency-key': 'deduplication key (default: run id + step + payload fingerprint)',
  file: 'also append to this JSON Lines file (the default target when nothing else is given)',
  'max-hops': 'refuse events deeper than this in a chain',
  'too-large': 'fail | reference: what to dispatch when the event is over GitHub limits',
  'timeout-seconds': 'time budget for delivery, retries included',
  attempts: 'attempts per target for transient failures',
  outbox: 'outbox file for undeliverable events',
  wait: 'follow the run the dispatch started until it completes; prints its conclusion and outputs',
  'wait-timeout-minutes': 'how long to wait for the child run (default 60)',
  'fail-on-child-failure': 'exit non-zero when the child run does not succeed (default true)',
};

export function registerEventCommands(program: Command): void {
  const emit = program
    .command('emit')
    .description(
      'publish a CloudEvent (Redis stream, JSON Lines file, repository/workflow dispatch), idempotently; --batch FILE pipelines JSON Lines into Redis',
    )
    .option(
      '--batch <file>',
      'JSON Lines file of events to pipeline into Redis: {type, data?, subject?, source?, idempotency-key?} or full CloudEvents',
    )
    .option('--step <name>', 'step name in the default idempotency key (default: cli)')
    .option(
      '--drain-outbox',
      'deliver every event kept in the outbox (--outbox) to the targets given, with their original ids',
    );
  addInputFlags(emit, { ...emitEventInputs, ...emitEventWaitInputs }, FLAG_HELP);
  emit.option(
    '--json',
    "print the action's outputs as JSON (the default output; accepted so every command takes --json)",
  );
  emit.action(async (options: Record<string, unknown>) => {
    const io = createConsoleIo();
    const read = flagReader(options);
    if (options.drainOutbox === true) {
      const summary = await drainOutbox(read, io, typeof options.step === 'string' ? options.step : undefined);
      process.stdout.write(redact(`${JSON.stringify(summary)}\n`));
      if (summary.failed > 0) process.exitCode = 1;
      return;
    }
    if (typeof options.batch === 'string') {
      const summary = await emitBatch(
        options.batch,
        read,
        io,
        typeof options.step === 'string' ? options.step : undefined,
      );
      process.stdout.write(redact(`${JSON.stringify(summary)}\n`));
      return;
    }
    const outputs = await emitOne(read, io, typeof options.step === 'string' ? options.step : undefined);
    process.stdout.write(redact(`${JSON.stringify(outputs)}\n`));
  });
}

// The CLI keeps its outbox and dispatch ledger in local files only, on a runner too.
function environment(step: string | undefined): EmitEnvironment {
  const env = process.env;
  const github = readGitHubContext();
  return {
    env,
    github,
    workspace: process.cwd(),
    ports: { ...runnerPorts(env), cache: undefined },
    step: step ?? `${github.job ? `${github.job}/` : ''}cli`,
  };
}

/** One event, exactly as the action emits it; prints the outputs the action would set. */
async function emitOne(read: FlagReader, io: ConsoleIo, stepName?: string): Promise<Record<string, string>> {
  await emitStep(read, environment(stepName), io);
  return Object.fromEntries(io.outputs);
}

export async function emitBatch(
  path: string,
  read: FlagReader,
  io: StepIo,
  stepName?: string,
): Promise<Record<string, unknown>> {
  // --type is per line in a batch; the schema wants one, so stand in for it.
  const { spec, secrets } = await emitEventSpec(
    (name) => (name === 'type' ? (read(name) ?? 'batch') : read(name)),
    environment(stepName ?? `batch:${basename(path)}`),
  );
  for (const secret of secrets) io.setSecret(secret);
  if (!spec.redisUrl)
    throw new InputError(
      'redis-url',
      'is required with --batch (or env REDIS_URL): batches are pipelined into a Redis stream',
    );
  if (spec.dispatch)
    throw new InputError(
      'dispatch-repository',
      'cannot be used with --batch; route stream events to GitHub with `autostack relay`',
    );
  const redisUrl = spec.redisUrl;
  // Two streamed passes: the first proves every line valid (nothing sent if one is not), the
  // second publishes with a bounded window of pipelines. Memory stays flat whatever the size.
  await validateBatch(path, spec);
  const started = Date.now();
  return inJournaledStep(
    `emit --batch ${basename(path)}`,
    'emit-event',
    async (step) => {
      const handle = await openRedis(redisUrl, { timeoutMs: spec.timeoutMs, reconnectForMs: spec.timeoutMs });
      try {
        const progress = await publishEventStream(handle, batchEvents(path, spec), {
          stream: spec.stream,
          maxLen: spec.maxLen,
          dedupeTtlSeconds: spec.dedupeTtlSeconds,
          timeoutMs: spec.timeoutMs,
          onRound: (p) =>
            io.warning(
              `Redis went away during the batch; re-sending unconfirmed events (round ${p.retriedRounds}; published so far ${p.published}).`,
            ),
        });
        // One entry for the whole batch: an entry per event would cost a journal line per event.
        step.append({ type: 'system.touched', system: 'redis', target: spec.stream, operation: 'publish-batch' });
        const summary = {
          events: progress.events,
          published: progress.published,
          duplicates: progress.duplicates,
          retriedRounds: progress.retriedRounds,
          stream: spec.stream,
          seconds: (Date.now() - started) / 1000,
        };
        io.info(
          `Batch ${path}: ${progress.published} published, ${progress.duplicates} duplicate(s) to ${spec.stream} in ${summary.seconds.toFixed(2)} s.`,
        );
        return summary;
      } finally {
        await handle.close();
      }
    },
    (summary) => `${summary.published} published, ${summary.duplicates} duplicates`,
  );
}

/**
 * `autostack emit --drain-outbox`: delivers every event the outbox holds (events whose step will
 * not run again, or delivery from a machine that can reach the target) to the targets the flags
 * name. Each is delivered exactly like a re-run of its step would: same envelope, idempotent
 * targets, removed from the outbox once every target has it.
 */
export async function drainOutbox(
  read: FlagReader,
  io: StepIo,
  stepName?: string,
): Promise<{ entries: number; delivered: number; duplicates: number; failed: number }> {
  const { spec, secrets } = await emitEventSpec(
    (name) => (name === 'type' ? (read(name) ?? 'outbox') : read(name)),
    environment(stepName),
  );
  for (const secret of secrets) io.setSecret(secret);
  const entries = listOutbox(spec.outboxPath);
  const summary = { entries: entries.length, delivered: 0, duplicates: 0, failed: 0 };
  for (const entry of entries) {
    try {
      const result = await inJournaledStep(
        `emit --drain-outbox ${entry.event.type}`,
        'emit-event',
        (step) => emitEvent({ ...spec, event: entry.event }, io, step),
        (delivered) => `${delivered.duplicate ? 'duplicate' : 'delivered'} ${entry.event.id}`,
      );
      if (result.duplicate) summary.duplicates += 1;
      else summary.delivered += 1;
    } catch (error) {
      summary.failed += 1;
      io.error(`event ${entry.event.id}: ${errorMessage(error)}`);
    }
  }
  io.info(
    `Outbox ${spec.outboxPath}: ${summary.entries} event(s); ${summary.delivered} delivered, ${summary.duplicates} already delivered, ${summary.failed} still failing.`,
  );
  return summary;
}
