import { resolve } from 'node:path';
import { loadSchemaEngine } from '../prompts/engine.js';
import type { Log } from '../io/io.js';
import type { Ports } from '../ports/ports.js';
import { contentHash } from '../prompts/normalize.js';
import type { JournaledStep } from '../runs/step.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { evaluatePrompt, skippedEvaluators, uncountableGate, type EvalRun, type EvalRunTemplate } from './evals.js';
import type { GateOptions } from './eval-plan.js';
import { GitHubRepo } from './github-repo.js';
import { gitIgnores, localView, type LockView, writeLocalFile } from './local-repo.js';
import {
  lockKey,
  LOCK_FILE,
  MAX_HISTORY,
  serializeLock,
  SNAPSHOT_DIRECTORY,
  snapshotPath,
  type EvalSummary,
  type LockEntry,
  type LockFile,
} from '../prompts/lock.js';
import {
  type Candidate,
  type ChannelState,
  readChannelState,
  resolveCandidate,
  rollbackCandidate,
  stripHistory,
} from './promote-candidate.js';
import { evalTable, fenced, unifiedDiff } from './report.js';

export type PromoteMode = 'pull-request' | 'commit' | 'local';

export interface PromoteSpec {
  promptFile: string;
  channel: string;
  /** Which content to promote: empty for the file as it is; else a channel, a content hash (prefix) or an explicit version known to the lock, or a git commit/branch. */
  version?: string | undefined;
  eval: boolean;
  minPassRate: number;
  /** Concurrency, and the `repeat`/`min-passes` inputs, for the eval gate. */
  evalOptions: GateOptions;
  mode: PromoteMode;
  rollback: boolean;
  /** Evaluate and report (summary, sticky comment) but write nothing. */
  dryRun: boolean;
  /** Branch the lock lives on; default the repository's default branch. */
  baseBranch?: string | undefined;
  /** How each test case is run (provider, key, cache …). */
  run: EvalRunTemplate;
  github?: { token: string; repository: string; apiUrl?: string | undefined } | undefined;
  /** The GitHub client, made once by the entry point. */
  ports: Pick<Ports, 'github'>;
  workspace: string;
  /** The commit the candidate comes from (GITHUB_SHA; git HEAD locally). */
  sha?: string | undefined;
  actor: string;
  /** The pull request that triggered this run, for the sticky comment. */
  triggeringPull?: number | undefined;
  now?: () => Date;
}

export interface PromoteResult {
  promptPath: string;
  channel: string;
  /** What the channel holds after this run (the candidate when promoted). */
  version: string;
  contentHash: string;
  /** What the channel held before; '' when nothing was promoted. */
  previousVersion: string;
  passRate: number | undefined;
  promoted: boolean;
  /** True when the eval gate refused the candidate. */
  refused: boolean;
  /** Why nothing changed, when nothing did. */
  reason: string | undefined;
  pullRequestUrl: string | undefined;
  pullRequestNumber: number | undefined;
  commentId: number | undefined;
  committedSha: string | undefined;
  /** Markdown: outcome, eval table, prompt diff. */
  report: string;
  candidate: EvalRun | undefined;
  current: EvalRun | undefined;
}

const MAX_BODY = 60_000;
const COMMENT_MARKER = (key: string, channel: string) => `<!-- autostack:promote-prompt ${key} ${channel} -->`;

function evalSummary(run: EvalRun, minPassRate: number): EvalSummary {
  return {
    passRate: Math.round(run.passRate * 10_000) / 10_000,
    passed: run.passed,
    total: run.total,
    minPassRate,
    costUsd: run.costUsd,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    cases: run.cases.map((outcome) => ({
      case: outcome.index,
      passed: outcome.passed,
      ...(outcome.repeat > 1 ? { passes: outcome.passes, repeat: outcome.repeat, minPasses: outcome.minPasses } : {}),
      ...(outcome.passed
        ? {}
        : {
            failed: outcome.error
              ? ['error']
              : outcome.evaluators.filter((entry) => !entry.passed && !entry.skipped).map((entry) => entry.name),
          }),
    })),
  };
}

function slug(path: string): string {
  return (
    path
      .replace(/\.prompt\.ya?ml$|\.(ya?ml|md|markdown|txt)$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'prompt'
  );
}

/** Set in the GitHub modes (commit, pull-request): the repository and the branch the lock lives on. */
interface Remote {
  repo: GitHubRepo;
  base: string;
}

async function openLockView(
  spec: PromoteSpec,
  log: Log,
  step: JournaledStep,
): Promise<{ view: LockView; remote: Remote | undefined }> {
  if (spec.mode === 'local') return { view: localView(spec.workspace), remote: undefined };
  if (!spec.github?.token)
    throw new UserError(
      `Input 'github-token' is empty; mode '${spec.mode}' writes to GitHub. Pass a token with contents: write (and pull-requests: write), or use mode local.`,
    );
  const client = await spec.ports.github({ token: spec.github.token, apiUrl: spec.github.apiUrl }, log);
  const repo = new GitHubRepo(client, spec.github.repository, step);
  const ref = spec.baseBranch ?? (await repo.defaultBranch());
  const view: LockView = {
    describe: `${repo.fullName}@${ref}`,
    read: async (path) => (await repo.readFile(path, ref))?.text,
    readAt: async (path, at) => {
      if (!/^[0-9a-f]{7,40}$/.test(at) && (await repo.branchSha(at)) === undefined) return undefined;
      const file = await repo.readFile(path, at);
      if (!file) return undefined;
      return { text: file.text, commit: /^[0-9a-f]{40}$/.test(at) ? at : ((await repo.branchSha(at)) ?? at) };
    },
  };
  return { view, remote: { repo, base: ref } };
}

function emptyResult(key: string, channel: string, candidate: Candidate, previousVersion: string): PromoteResult {
  return {
    promptPath: key,
    channel,
    version: candidate.definition.versionLabel,
    contentHash: contentHash(candidate.text),
    previousVersion,
    passRate: undefined,
    promoted: false,
    refused: false,
    reason: undefined,
    pullRequestUrl: undefined,
    pullRequestNumber: undefined,
    commentId: undefined,
    committedSha: undefined,
    report: '',
    candidate: undefined,
    current: undefined,
  };
}

/** The eval gate: the candidate, and the promoted version on the same cases, side by side. */
async function runGate(
  spec: PromoteSpec,
  key: string,
  candidate: Candidate,
  state: ChannelState,
  result: PromoteResult,
  log: Log,
  step: JournaledStep,
): Promise<void> {
  const { definition } = candidate;
  if (definition.testData.length === 0) {
    throw new UserError(
      `${key}: the eval gate is on but the prompt has no testData to run. Add testData and evaluators (GitHub Models format) to the prompt file, or set eval: false to promote without a gate.`,
      { file: spec.promptFile },
    );
  }
  const uncountable = uncountableGate(definition, key);
  if (uncountable !== undefined) {
    result.refused = true;
    result.reason = uncountable;
    return;
  }
  if (definition.evaluators.length === 0)
    log.warning(`${key} has testData but no evaluators: a case passes when it runs without error.`);
  const skipped = skippedEvaluators(definition);
  if (skipped.length > 0)
    log.info(
      `eval: skipped ${skipped.join(', ')}: GitHub-hosted evaluators run only on GitHub Models; counted neither way`,
    );
  const evaluated = await log.group(`eval: candidate ${result.version} (${definition.testData.length} cases)`, () =>
    evaluatePrompt(definition, spec.run, spec.evalOptions, log, step),
  );
  result.candidate = evaluated;
  if (state.currentDefinition) {
    // The same cases and the same evaluators, so a regression shows side by side.
    const { repeat, minPasses } = definition;
    const sameCases = {
      ...state.currentDefinition,
      testData: definition.testData,
      evaluators: definition.evaluators,
      // The candidate's repeat settings too, so both columns count runs the same way.
      repeat,
      minPasses,
    };
    result.current = await log.group(`eval: promoted ${state.previousVersion}`, () =>
      evaluatePrompt(sameCases, spec.run, spec.evalOptions, log, step),
    );
  }
  result.passRate = evaluated.passRate;
  if (evaluated.passRate < spec.minPassRate) {
    result.refused = true;
    result.reason = `Promotion refused: ${key} ${result.version} passes ${evaluated.passed}/${evaluated.total} cases (${Math.round(evaluated.passRate * 100)}%), below min-pass-rate ${spec.minPassRate}. Nothing was written.`;
  }
}

/** `min-pass-rate 1, concurrency 4, 10 runs of 4 cases (repeat)`. */
function gateFacts(spec: PromoteSpec, run: EvalRun | undefined): string {
  const repeated = run && run.runs > run.total ? `, ${run.runs} runs of ${run.total} cases (repeat)` : '';
  return `min-pass-rate ${spec.minPassRate}, concurrency ${spec.evalOptions.concurrency}${repeated}`;
}

/** Markdown for the job summary, the pull request and the sticky comment; secrets redacted. */
async function buildReport(
  spec: PromoteSpec,
  key: string,
  candidate: Candidate,
  state: ChannelState,
  result: PromoteResult,
  gate: boolean,
): Promise<string> {
  const { current, previousVersion } = state;
  const label = result.version;
  const outcome = result.refused
    ? `❌ ${result.reason}`
    : spec.dryRun
      ? `🔎 Dry run: ${label} ${gate ? 'passes the gate' : 'would be promoted'}${previousVersion ? ` (replacing ${previousVersion})` : ''}; nothing written.`
      : `✅ ${spec.rollback ? `Rollback to ${label}` : `Promote ${label}`}${previousVersion ? ` (replacing ${previousVersion})` : ' (first promotion on this channel)'}.`;
  const facts = [
    `- Candidate: ${candidate.source}, content \`${result.contentHash}\``,
    `- Promoted now: ${current ? `${previousVersion}, content \`${current.contentHash}\`, from ${current.commit.slice(0, 12)} by ${current.promotedBy} at ${current.promotedAt}` : 'nothing'}`,
    `- Gate: ${gate ? gateFacts(spec, result.candidate) : spec.rollback ? 'skipped for a rollback' : 'off (eval: false)'}`,
  ];
  const diff = await unifiedDiff(state.currentText ?? '', candidate.text, {
    from: current ? `${key} (${spec.channel}: ${previousVersion})` : '/dev/null',
    to: `${key} (${label})`,
  });
  const sections = [`### promote-prompt: \`${key}\` → \`${spec.channel}\``, '', outcome, '', ...facts];
  if (result.candidate) sections.push('', '#### Eval', '', evalTable(result.candidate, result.current));
  const skipped = skippedEvaluators(candidate.definition);
  if (gate && skipped.length > 0)
    sections.push(
      '',
      `Skipped: ${skipped.join(', ')}: GitHub-hosted evaluators run only on GitHub Models; counted neither way.`,
    );
  sections.push(
    '',
    `#### Prompt diff against ${current ? `the promoted version (${previousVersion})` : 'nothing (first promotion)'}`,
    '',
    fenced(diff || '(no textual change)', 'diff'),
  );
  // Registered secrets never reach the summary, the pull request or the comment.
  return redact(`${sections.join('\n')}\n`);
}

/** The new lock entry: the candidate on top, the version it replaces first in `previous`. */
function nextEntry(
  spec: PromoteSpec,
  key: string,
  candidate: Candidate,
  state: ChannelState,
  result: PromoteResult,
): LockEntry {
  const { current } = state;
  const now = spec.now ?? (() => new Date());
  return {
    contentHash: result.contentHash,
    version: candidate.definition.version ?? null,
    snapshot: snapshotPath(result.contentHash, key),
    commit: candidate.commit,
    promotedBy: spec.actor,
    promotedAt: now().toISOString(),
    eval: result.candidate ? evalSummary(result.candidate, spec.minPassRate) : null,
    ...(spec.rollback && current ? { rollbackOf: current.contentHash } : {}),
    previous: spec.rollback
      ? (current?.previous.slice(1) ?? [])
      : current
        ? [stripHistory(current), ...current.previous].slice(0, MAX_HISTORY)
        : [],
  };
}

interface Write {
  key: string;
  entry: LockEntry;
  text: string;
  lockOut: string;
  message: string;
  body: string;
}

function writeLocally(spec: PromoteSpec, write: Write, log: Log, step: JournaledStep): void {
  const { entry } = write;
  writeLocalFile(resolve(spec.workspace, entry.snapshot), write.text);
  writeLocalFile(resolve(spec.workspace, LOCK_FILE), write.lockOut);
  step.append({
    type: 'system.touched',
    system: 'filesystem',
    target: LOCK_FILE,
    operation: 'write',
    id: `${write.key}@${spec.channel}`,
  });
  log.info(`wrote ${entry.snapshot} and ${LOCK_FILE}; commit both`);
  if (gitIgnores(spec.workspace, [LOCK_FILE, entry.snapshot])) {
    log.warning(
      `${LOCK_FILE} or the snapshot is ignored by git here (a '.autostack/' line in .gitignore?). They must be committed: ignore '.autostack/runs/' and '.autostack/cache/' instead, or add '!${LOCK_FILE}' and '!${SNAPSHOT_DIRECTORY}/'.`,
    );
  }
}

async function writeToGitHub(
  spec: PromoteSpec,
  remote: Remote,
  write: Write,
  result: PromoteResult,
  log: Log,
): Promise<void> {
  const { repo, base: baseBranch } = remote;
  const { entry, message } = write;
  let branch = baseBranch;
  if (spec.mode === 'pull-request') {
    branch = `autostack/promote/${spec.channel}/${slug(write.key)}`;
    const baseSha = await repo.branchSha(baseBranch);
    if (!baseSha)
      throw new UserError(`Base branch '${baseBranch}' does not exist in ${repo.fullName}; set base-branch.`);
    // The branch only ever holds this generated change, so it is rebuilt from the base each time.
    await repo.resetBranch(branch, baseSha);
  }
  // Snapshot first: a lock never names a snapshot the branch does not have.
  if (!(await repo.readFile(entry.snapshot, branch))) {
    await repo.writeFile(entry.snapshot, write.text, { branch, message: `${message} (snapshot)` });
  }
  const existingLock = await repo.readFile(LOCK_FILE, branch);
  result.committedSha = await repo.writeFile(LOCK_FILE, write.lockOut, { branch, message, sha: existingLock?.sha });
  if (spec.mode !== 'pull-request') {
    log.info(`committed ${LOCK_FILE} on ${baseBranch}: ${result.committedSha}`);
    return;
  }
  const pull = await repo.upsertPull(
    branch,
    baseBranch,
    message,
    `${write.body}\n---\nMerging this pull request moves channel \`${spec.channel}\` of \`${write.key}\` to ${result.version}: run-prompt with \`channel: ${spec.channel}\` runs it from then on.\n`,
  );
  result.pullRequestUrl = pull.url;
  result.pullRequestNumber = pull.number;
  log.info(`${pull.created ? 'opened' : 'updated'} pull request #${pull.number}: ${pull.url}`);
}

/** The sticky eval comment on the pull request (GitHub modes only). */
async function postComment(
  remote: Remote | undefined,
  pullNumber: number | undefined,
  key: string,
  channel: string,
  body: string,
  result: PromoteResult,
  log: Log,
): Promise<void> {
  if (!remote || pullNumber === undefined) return;
  const posted = await remote.repo.upsertComment(pullNumber, COMMENT_MARKER(key, channel), body);
  result.commentId = posted.id;
  log.info(`${posted.created ? 'posted' : 'updated'} the eval comment on #${pullNumber}`);
}

/**
 * Promotes one prompt version to one channel: resolves the candidate (the file, a known version,
 * or the channel's previous one for a rollback), runs the eval gate on it and on the promoted
 * version side by side, and — when it passes — writes the lock file and the snapshot locally,
 * as a commit, or as a pull request to review. A refusal writes nothing.
 */
export async function promotePrompt(spec: PromoteSpec, log: Log, step: JournaledStep): Promise<PromoteResult> {
  // Prompt files, snapshots and evaluators are read synchronously and may hold JSON Schemas.
  await loadSchemaEngine();
  const key = lockKey(spec.promptFile, spec.workspace);
  const channel = spec.channel;
  const { view, remote } = await openLockView(spec, log, step);
  const state = await readChannelState(view, spec, key);
  const candidate = spec.rollback
    ? await rollbackCandidate(view, state, key, channel)
    : await resolveCandidate(spec, key, state.lock, view);
  for (const warning of candidate.definition.warnings) log.warning(warning);
  const result = emptyResult(key, channel, candidate, state.previousVersion);

  if (state.current?.contentHash === result.contentHash) {
    result.reason = `${key} ${result.version} is already promoted to '${channel}'; nothing to do.`;
    result.report = `### promote-prompt: \`${key}\` → \`${channel}\`\n\n${result.reason}\n`;
    log.notice(result.reason);
    return result;
  }

  // The eval gate (a rollback returns to a version that passed its own gate when promoted).
  const gate = spec.eval && !spec.rollback;
  if (gate) await runGate(spec, key, candidate, state, result, log, step);
  result.report = await buildReport(spec, key, candidate, state, result, gate);
  const body =
    result.report.length > MAX_BODY
      ? `${result.report.slice(0, MAX_BODY)}\n\n_(truncated; the job summary has the whole report)_\n`
      : result.report;
  if (result.refused || spec.dryRun) {
    await postComment(remote, spec.triggeringPull, key, channel, body, result, log);
    return result;
  }

  const entry = nextEntry(spec, key, candidate, state, result);
  const nextLock: LockFile = {
    ...state.lock,
    prompts: { ...state.lock.prompts, [key]: { ...(state.lock.prompts[key] ?? {}), [channel]: entry } },
  };
  const write: Write = {
    key,
    entry,
    text: candidate.text,
    lockOut: serializeLock(nextLock),
    message: `${spec.rollback ? 'Roll back' : 'Promote'} ${key} to ${channel}: ${result.version}`,
    body,
  };
  if (remote) await writeToGitHub(spec, remote, write, result, log);
  else writeLocally(spec, write, log, step);
  result.promoted = spec.mode !== 'pull-request';
  await postComment(remote, spec.triggeringPull ?? result.pullRequestNumber, key, channel, body, result, log);
  return result;
}
