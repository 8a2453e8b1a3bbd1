import { type Command, InvalidArgumentError, Option } from 'commander';
import { addBooleanFlag } from './flags.js';
import { createGitHubClient, type GitHubClient } from '../github/client.js';
import { createConsoleIo } from '../io/console-io.js';
import { currentJournal } from '../runs/context.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { redact, registerSecret } from '../shared/redact.js';
import { DEFAULT_STREAM, hashTag, validateStreamName } from '../events/redis-names.js';
import { isTransientRedisError, openRedis, RedisTargetError, type RedisHandle } from '../events/redis.js';
import {
  DEFAULT_GROUP,
  DEFAULT_MARKER_TTL_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MIN_IDLE_MS,
  defaultConsumerName,
  defaultDeadLetterStream,
  Relay,
} from '../events/relay.js';
import { emptyRelaySummary, formatSummary, type RelaySummary } from '../events/relay-summary.js';
import { loadRouting } from '../events/routing.js';

export const DEFAULT_ROUTES_FILE = '.github/autostack-relay.yml';

interface RelayFlags {
  routes: string;
  redisUrl?: string;
  stream: string;
  group: string;
  consumer?: string;
  mode: 'once' | 'continuous';
  maxAttempts: number;
  minIdle: number;
  batch: number;
  deadLetterStream?: string;
  githubToken?: string;
  from: 'beginning' | 'now';
  markerTtlDays: number;
  timeout: number;
  json?: boolean;
  failOnDeadLetter: boolean;
  failOnPending: boolean;
}

/** Exit codes of `autostack relay` (docs/cli.md). */
export const RELAY_EXIT = { ok: 0, error: 1, deadLettered: 2, pending: 3 } as const;

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return parsed;
  };
}

/** What Redis Cluster hashes for a key: its hash tag, else the whole key. Equal inputs share a slot. */
function slotInput(key: string): string {
  return hashTag(key) ?? key;
}

function addInto(total: RelaySummary, part: RelaySummary): void {
  for (const key of [
    'read',
    'dispatched',
    'duplicates',
    'deadLettered',
    'retrying',
    'unrouted',
    'trimmed',
    'acked',
    'released',
  ] as const)
    total[key] += part[key];
  total.runs.push(...part.runs);
}

/**
 * `autostack relay`: reads the events stream as a consumer group and dispatches each event as
 * its routing file says. `--mode once` drains and exits (a scheduled workflow); `--mode
 * continuous` runs until SIGTERM/SIGINT, finishing the entry in flight first and handing the
 * entries it read but did not start back to the group (docs/relay.md, "Stopping").
 */
export function registerRelayCommands(program: Command): void {
  const command = program
    .command('relay')
    .description(
      'relay events from a Redis stream to GitHub repository_dispatch / workflow_dispatch, as a routing file says',
    )
    .option('--routes <file>', 'routing file (YAML)', DEFAULT_ROUTES_FILE)
    .option('--redis-url <url>', 'redis:// or rediss:// URL (default: env REDIS_URL); a cluster node is detected')
    .option('--stream <key>', 'stream to read', DEFAULT_STREAM)
    .option('--group <name>', 'consumer group', DEFAULT_GROUP)
    .option('--consumer <name>', 'consumer name (default: <host>-<pid>)')
    .addOption(
      new Option('--mode <mode>', 'once: drain and exit; continuous: until SIGTERM/SIGINT')
        .choices(['once', 'continuous'])
        .default('once'),
    )
    .option(
      '--max-attempts <n>',
      'deliveries before an entry goes to the dead-letter stream',
      wholeNumber(1, 1000),
      DEFAULT_MAX_ATTEMPTS,
    )
    .option(
      '--min-idle <seconds>',
      'reclaim entries another relay left pending this long',
      wholeNumber(0, 86_400),
      DEFAULT_MIN_IDLE_MS / 1000,
    )
    .option('--batch <n>', 'entries read per call', wholeNumber(1, 1000), 10)
    .option('--dead-letter-stream <key>', 'where poison entries go (default: {<stream>}:dead, same hash slot)')
    .option('--github-token <token>', 'token for routes without token-env (default: env GITHUB_TOKEN)')
    .addOption(
      new Option('--from <where>', 'where a new consumer group starts')
        .choices(['beginning', 'now'])
        .default('beginning'),
    )
    .option(
      '--marker-ttl-days <days>',
      'how long dispatches are remembered per idempotency key',
      wholeNumber(1, 365),
      DEFAULT_MARKER_TTL_SECONDS / 86_400,
    )
    .option('--timeout <seconds>', 'bound on connecting to Redis', wholeNumber(1, 600), 10)
    .option('--json', 'print the summary as JSON on stdout');
  addBooleanFlag(
    command,
    'fail-on-dead-letter',
    'exit 2 when entries were dead-lettered in this run (--no-fail-on-dead-letter: exit 0)',
    true,
  );
  addBooleanFlag(
    command,
    'fail-on-pending',
    'with --mode once: exit 3 when dispatches failed and were left pending for retry (--no-fail-on-pending: exit 0)',
    true,
  );
  command.action(async (flags: RelayFlags) => {
    process.exitCode = await relayCommand(flags);
  });
}

type ConsoleIo = ReturnType<typeof createConsoleIo>;
type Routing = ReturnType<typeof loadRouting>;

/** What one relay pass needs besides the flags; fixed for the whole command. */
interface RelayTarget {
  redisUrl: string;
  stream: string;
  deadLetterStream: string;
  consumer: string;
  routing: Routing;
  github: (tokenEnv: string | undefined) => GitHubClient;
}

interface StopSignal {
  readonly requested: boolean;
}

async function relayCommand(flags: RelayFlags): Promise<number> {
  const io = createConsoleIo();
  const env = process.env;
  const routing = loadRouting(flags.routes);
  const stream = validateStreamName(flags.stream, 'stream');
  const deadLetterStream = flags.deadLetterStream
    ? validateStreamName(flags.deadLetterStream, 'dead-letter-stream')
    : defaultDeadLetterStream(stream);
  const redisUrl = flags.redisUrl ?? env.REDIS_URL;
  if (!redisUrl)
    throw new UserError("Flag '--redis-url' is required (or set REDIS_URL): redis://[user:password@]host[:port]");
  const github = githubClients(flags, routing, io);

  const stop = { requested: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.requested) return;
    stop.requested = true;
    io.info(`relay: ${signal} received; finishing the entry in flight, releasing the rest of the batch, then stopping`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const consumer = flags.consumer ?? defaultConsumerName();
  let total: RelaySummary;
  try {
    total = await relayUntilDone(flags, { redisUrl, stream, deadLetterStream, consumer, routing, github }, io, stop);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  printSummary(flags, total, { stream, consumer, deadLetterStream }, io);
  return relayExitCode(flags, total, io);
}

/**
 * Tokens: checked before anything is read, so a missing secret fails the run, not every entry.
 * Returns one client per token, created on first use.
 */
function githubClients(
  flags: RelayFlags,
  routing: Routing,
  io: ConsoleIo,
): (tokenEnv: string | undefined) => GitHubClient {
  const env = process.env;
  const defaultToken = flags.githubToken ?? env.GITHUB_TOKEN;
  registerSecret(defaultToken);
  const needsDefault = routing.routes.some((route) => route.target.tokenEnv === undefined);
  if (needsDefault && !defaultToken) {
    throw new UserError(
      `A GitHub token is required: set GITHUB_TOKEN or pass --github-token (routes without token-env in ${routing.file} use it)`,
    );
  }
  for (const name of routing.tokenEnvs()) {
    if (!env[name])
      throw new UserError(
        `${routing.file}: token-env ${name} is not set in the environment (a route dispatches with it)`,
      );
    registerSecret(env[name]);
  }
  const clients = new Map<string, GitHubClient>();
  return (tokenEnv: string | undefined): GitHubClient => {
    const key = tokenEnv ?? '';
    let client = clients.get(key);
    if (!client) {
      client = createGitHubClient({
        token: (tokenEnv ? env[tokenEnv] : defaultToken) ?? '',
        baseUrl: env.GITHUB_API_URL,
        log: io,
      });
      clients.set(key, client);
    }
    return client;
  };
}

/** Runs relay passes, reconnecting after transient Redis errors in continuous mode; returns the summed summary. */
async function relayUntilDone(
  flags: RelayFlags,
  target: RelayTarget,
  io: ConsoleIo,
  stop: StopSignal,
): Promise<RelaySummary> {
  const total = emptyRelaySummary();
  const journal = currentJournal();
  const unsavedMarkers = new Map<string, string>();
  let backoff = 1000;
  for (;;) {
    let handle: RedisHandle | undefined;
    try {
      handle = await openRedis(target.redisUrl, { timeoutMs: flags.timeout * 1000 });
      await relayOnce(flags, target, handle, { io, journal, unsavedMarkers, stop, total });
      break;
    } catch (error) {
      const message = errorMessage(error);
      // Our own refusals (UserError) are final; Redis errors are classified where they are explained.
      const transient =
        error instanceof RedisTargetError || !(error instanceof UserError) ? isTransientRedisError(error) : false;
      // Once: a scheduled run fails and the next one resumes. Continuous: ride out the outage.
      if (flags.mode === 'once' || stop.requested || !transient)
        throw error instanceof UserError ? error : new UserError(`relay: ${message}`);
      io.warning(`relay: Redis problem (${message}); reconnecting in ${Math.round(backoff / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 30_000);
    } finally {
      await handle?.close();
    }
    if (stop.requested) break;
  }
  return total;
}

interface PassContext {
  io: ConsoleIo;
  journal: ReturnType<typeof currentJournal>;
  unsavedMarkers: Map<string, string>;
  stop: StopSignal;
  total: RelaySummary;
}

/** One relay pass on an open connection; what it did is added to `total` even when it fails. */
async function relayOnce(
  flags: RelayFlags,
  target: RelayTarget,
  handle: RedisHandle,
  context: PassContext,
): Promise<void> {
  const { stream, deadLetterStream, consumer, routing } = target;
  const { io, stop, total } = context;
  io.info(
    `relay: ${handle.display}${handle.cluster ? ' (cluster)' : ''} stream ${stream}, group ${flags.group}, consumer ${consumer}, ${routing.routes.length} route(s), mode ${flags.mode}`,
  );
  if (handle.cluster && slotInput(deadLetterStream) !== slotInput(stream)) {
    throw new UserError(
      `The dead-letter stream ${deadLetterStream} does not share the hash slot of ${stream} on this Redis Cluster (moving an entry there is one script); name it with the same hash tag, e.g. ${defaultDeadLetterStream(stream)}`,
    );
  }
  const relay = new Relay({
    client: handle.client,
    stream,
    group: flags.group,
    consumer,
    routing,
    github: target.github,
    deadLetterStream,
    maxAttempts: flags.maxAttempts,
    minIdleMs: flags.minIdle * 1000,
    batchSize: flags.batch,
    mode: flags.mode,
    markerTtlSeconds: flags.markerTtlDays * 86_400,
    startId: flags.from === 'now' ? '$' : '0',
    log: io,
    journal: context.journal,
    shouldStop: () => stop.requested,
    unsavedMarkers: context.unsavedMarkers,
  });
  try {
    addInto(total, await relay.run());
  } catch (error) {
    addInto(total, relay.summary);
    throw error;
  }
}

function printSummary(
  flags: RelayFlags,
  total: RelaySummary,
  where: { stream: string; consumer: string; deadLetterStream: string },
  io: ConsoleIo,
): void {
  const { stream, consumer, deadLetterStream } = where;
  if (flags.json) {
    io.info(formatSummary(total));
    process.stdout.write(
      redact(`${JSON.stringify({ stream, group: flags.group, consumer, deadLetterStream, ...total })}\n`),
    );
  } else {
    process.stdout.write(redact(`${formatSummary(total)}\n`));
  }
}

function relayExitCode(flags: RelayFlags, total: RelaySummary, io: ConsoleIo): number {
  if (total.deadLettered > 0 && flags.failOnDeadLetter) return RELAY_EXIT.deadLettered;
  // A scheduled relay must go red while GitHub is failing: the entries wait for the next run,
  // but nobody looks at a green job.
  if (flags.mode === 'once' && total.retrying > 0 && flags.failOnPending) {
    io.error(
      `relay: ${total.retrying} dispatch${total.retrying === 1 ? '' : 'es'} failed and ${total.retrying === 1 ? 'is' : 'are'} left pending for the next run (exit ${RELAY_EXIT.pending})`,
    );
    return RELAY_EXIT.pending;
  }
  return RELAY_EXIT.ok;
}
