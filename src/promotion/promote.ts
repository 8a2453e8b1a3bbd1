import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createGitHubClient } from '../github/client.js';
import type { Log } from '../io/io.js';
import { contentHash } from '../prompts/normalize.js';
import type { PromptDefinition } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { evaluatePrompt, type EvalRun, type EvalRunTemplate } from './evals.js';
import { GitHubRepo } from './github-repo.js';
import {
  definitionFromText,
  LOCK_FILE,
  lockKey,
  MAX_HISTORY,
  parseLock,
  serializeLock,
  SNAPSHOT_DIRECTORY,
  snapshotPath,
  verifySnapshot,
  versionLabelOf,
  type EvalSummary,
  type HistoryEntry,
  type LockEntry,
  type LockFile,
} from '../prompts/lock.js';
import { evalTable, fenced, unifiedDiff } from './report.js';

export type PromoteMode = 'pull-request' | 'commit' | 'local';

export interface PromoteSpec {
  promptFile: string;
  channel: string;
  /** Which content to promote: empty for the file as it is; else a channel, a content hash (prefix) or an explicit version known to the lock, or a git commit/branch. */
  version?: string | undefined;
  eval: boolean;
  minPassRate: number;
  mode: PromoteMode;
  rollback: boolean;
  /** Evaluate and report (summary, sticky comment) but write nothing. */
  dryRun: boolean;
  /** Branch the lock lives on; default the repository's default branch. */
  baseBranch?: string | undefined;
  /** How each test case is run (provider, key, cache …). */
  run: EvalRunTemplate;
  github?: { token: string; repository: string; apiUrl?: string | undefined } | undefined;
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

/** Where the lock and snapshots are read: the workspace (local mode) or a branch on GitHub. */
interface LockView {
  describe: string;
  read(path: string): Promise<string | undefined>;
  /** A file at a git ref (commit, branch, tag), with the commit it resolved to. */
  readAt(path: string, ref: string): Promise<{ text: string; commit: string } | undefined>;
}

const MAX_BODY = 60_000;
const COMMENT_MARKER = (key: string, channel: string) => `<!-- autostack:promote-prompt ${key} ${channel} -->`;

function localView(workspace: string): LockView {
  return {
    describe: 'the workspace',
    read: async (path) => {
      try {
        return readFileSync(resolve(workspace, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    readAt: async (path, ref) => {
      if (ref.startsWith('-')) return undefined;
      try {
        const git = (args: string[]) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });
        const commit = git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]).trim();
        return { text: git(['show', `${commit}:${path}`]), commit };
      } catch {
        return undefined;
      }
    },
  };
}

function gitHead(workspace: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True when git (if this is a git checkout) would ignore any of the paths. */
function gitIgnores(workspace: string, paths: string[]): boolean {
  // Exit 0 when at least one path is ignored, 1 when none is, 128 outside a git checkout.
  try {
    execFileSync('git', ['check-ignore', '--', ...paths], { cwd: workspace, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function stripHistory(entry: LockEntry): HistoryEntry {
  const { previous: _previous, ...rest } = entry;
  return rest;
}

interface Candidate {
  text: string;
  definition: PromptDefinition;
  commit: string;
  /** How the candidate was chosen, for the report. */
  source: string;
}

async function snapshotText(view: LockView, entry: HistoryEntry, context: string): Promise<string> {
  const text = await view.read(entry.snapshot);
  if (text === undefined) {
    throw new UserError(`${LOCK_FILE} (${view.describe}): ${context} names snapshot ${entry.snapshot}, which is missing there. Restore it from git history, or promote again.`, { file: LOCK_FILE });
  }
  verifySnapshot(text, entry, context);
  return text;
}

/** Every version the lock knows for this prompt, newest first per channel. */
function knownEntries(lock: LockFile, key: string): Array<{ channel: string; entry: HistoryEntry }> {
  const out: Array<{ channel: string; entry: HistoryEntry }> = [];
  for (const [channel, entry] of Object.entries(lock.prompts[key] ?? {})) {
    out.push({ channel, entry: stripHistory(entry) });
    for (const older of entry.previous) out.push({ channel, entry: older });
  }
  return out;
}

async function resolveCandidate(spec: PromoteSpec, key: string, lock: LockFile, view: LockView): Promise<Candidate> {
  const fileText = (): string => {
    try {
      return readFileSync(resolve(spec.workspace, spec.promptFile), 'utf8');
    } catch (error) {
      throw new UserError(`Input 'prompt-file': cannot read ${spec.promptFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const commit = spec.sha ?? gitHead(spec.workspace) ?? 'unknown';
  const wanted = spec.version?.trim();
  if (!wanted) {
    const text = fileText();
    return { text, definition: definitionFromText(text, key, spec.promptFile), commit, source: `${key} at ${commit.slice(0, 12)}` };
  }
  const channelEntry = lock.prompts[key]?.[wanted];
  const isHashPrefix = /^sha256:[0-9a-f]{7,64}$/.test(wanted);
  const known = knownEntries(lock, key);
  const byLock =
    channelEntry ??
    known.find(({ entry }) => entry.contentHash === wanted || (isHashPrefix && entry.contentHash.startsWith(wanted)))?.entry ??
    known.find(({ entry }) => entry.version === wanted)?.entry;
  if (byLock) {
    const text = await snapshotText(view, byLock, `version ${versionLabelOf(byLock)} of ${key}`);
    return { text, definition: definitionFromText(text, key, byLock.snapshot), commit: byLock.commit, source: channelEntry ? `channel '${wanted}' (${versionLabelOf(byLock)})` : `snapshot ${byLock.snapshot}` };
  }
  const text = fileText();
  const definition = definitionFromText(text, key, spec.promptFile);
  if (definition.version === wanted || definition.contentHash === wanted || (isHashPrefix && definition.contentHash.startsWith(wanted))) {
    return { text, definition, commit, source: `${key} at ${commit.slice(0, 12)}` };
  }
  // Last: a git ref (commit sha or branch) holding the prompt file.
  const atRef = await view.readAt(key, wanted);
  if (atRef) {
    return { text: atRef.text, definition: definitionFromText(atRef.text, key, `${key}@${wanted}`), commit: atRef.commit, source: `${key} at ${wanted}` };
  }
  const labels = [...new Set([definition.versionLabel, ...known.map(({ entry }) => versionLabelOf(entry))])];
  throw new UserError(
    `Input 'version' is '${wanted}', which is neither a channel of ${key}, a version in ${LOCK_FILE}, the file's current version, nor a git commit or branch holding ${key}. Known versions: ${labels.join(', ')}. Leave it empty to promote the file as it is.`,
    { file: spec.promptFile },
  );
}

function evalSummary(run: EvalRun, minPassRate: number): EvalSummary {
  return {
    passRate: Math.round(run.passRate * 10_000) / 10_000,
    passed: run.passed,
    total: run.total,
    minPassRate,
    costUsd: run.costUsd,
    cases: run.cases.map((outcome) => ({
      case: outcome.index,
      passed: outcome.passed,
      ...(outcome.passed ? {} : { failed: outcome.error ? ['error'] : outcome.evaluators.filter((entry) => !entry.passed && !entry.skipped).map((entry) => entry.name) }),
    })),
  };
}

function writeLocalFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function slug(path: string): string {
  return path.replace(/\.prompt\.ya?ml$|\.(ya?ml|md|markdown|txt)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'prompt';
}

/**
 * Promotes one prompt version to one channel: resolves the candidate (the file, a known version,
 * or the channel's previous one for a rollback), runs the eval gate on it and on the promoted
 * version side by side, and — when it passes — writes the lock file and the snapshot locally,
 * as a commit, or as a pull request to review. A refusal writes nothing.
 */
export async function promotePrompt(spec: PromoteSpec, log: Log, step: JournaledStep): Promise<PromoteResult> {
  const now = spec.now ?? (() => new Date());
  const key = lockKey(spec.promptFile, spec.workspace);
  const channel = spec.channel;

  // Set in the GitHub modes (commit, pull-request): the repository and the branch the lock lives on.
  let remote: { repo: GitHubRepo; base: string } | undefined;
  let view: LockView;
  if (spec.mode === 'local') {
    view = localView(spec.workspace);
  } else {
    if (!spec.github?.token) throw new UserError(`Input 'github-token' is empty; mode '${spec.mode}' writes to GitHub. Pass a token with contents: write (and pull-requests: write), or use mode local.`);
    const client = createGitHubClient({ token: spec.github.token, baseUrl: spec.github.apiUrl, log });
    const repo = new GitHubRepo(client, spec.github.repository, step);
    const ref = spec.baseBranch ?? (await repo.defaultBranch());
    remote = { repo, base: ref };
    view = {
      describe: `${repo.fullName}@${ref}`,
      read: async (path) => (await repo.readFile(path, ref))?.text,
      readAt: async (path, at) => {
        if (!/^[0-9a-f]{7,40}$/.test(at) && (await repo.branchSha(at)) === undefined) return undefined;
        const file = await repo.readFile(path, at);
        if (!file) return undefined;
        return { text: file.text, commit: /^[0-9a-f]{40}$/.test(at) ? at : ((await repo.branchSha(at)) ?? at) };
      },
    };
  }

  const lockText = await view.read(LOCK_FILE);
  const lock = lockText === undefined ? parseLock('', LOCK_FILE) : parseLock(lockText, spec.mode === 'local' ? LOCK_FILE : `${LOCK_FILE} (${view.describe})`);
  const current = lock.prompts[key]?.[channel];
  const currentText = current ? await snapshotText(view, current, `${key} on channel '${channel}'`) : undefined;
  const currentDefinition = current && currentText !== undefined ? definitionFromText(currentText, key, current.snapshot) : undefined;
  const previousVersion = current ? versionLabelOf(current) : '';

  let candidate: Candidate;
  if (spec.rollback) {
    const target = current?.previous[0];
    if (!current || !target) {
      throw new UserError(`Nothing to roll back: channel '${channel}' of ${key} ${current ? 'has no previous version' : 'has nothing promoted'} in ${LOCK_FILE} (${view.describe}).`);
    }
    const text = await snapshotText(view, target, `previous version ${versionLabelOf(target)} of ${key} on '${channel}'`);
    candidate = { text, definition: definitionFromText(text, key, target.snapshot), commit: target.commit, source: `rollback of '${channel}' to ${versionLabelOf(target)}` };
  } else {
    candidate = await resolveCandidate(spec, key, lock, view);
  }
  for (const warning of candidate.definition.warnings) log.warning(warning);
  const hash = contentHash(candidate.text);
  const label = candidate.definition.versionLabel;

  const result: PromoteResult = {
    promptPath: key,
    channel,
    version: label,
    contentHash: hash,
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

  if (current?.contentHash === hash) {
    result.reason = `${key} ${label} is already promoted to '${channel}'; nothing to do.`;
    result.report = `### promote-prompt: \`${key}\` → \`${channel}\`\n\n${result.reason}\n`;
    log.notice(result.reason);
    return result;
  }

  // The eval gate (a rollback returns to a version that passed its own gate when promoted).
  const gate = spec.eval && !spec.rollback;
  if (gate) {
    if (candidate.definition.testData.length === 0) {
      throw new UserError(
        `${key}: the eval gate is on but the prompt has no testData to run. Add testData and evaluators (GitHub Models format) to the prompt file, or set eval: false to promote without a gate.`,
        { file: spec.promptFile },
      );
    }
    if (candidate.definition.evaluators.length === 0) log.warning(`${key} has testData but no evaluators: a case passes when it runs without error.`);
    result.candidate = await log.group(`eval: candidate ${label} (${candidate.definition.testData.length} cases)`, () => evaluatePrompt(candidate.definition, spec.run, log, step));
    if (currentDefinition) {
      // The same cases and the same evaluators, so a regression shows side by side.
      const sameCases = { ...currentDefinition, testData: candidate.definition.testData, evaluators: candidate.definition.evaluators };
      result.current = await log.group(`eval: promoted ${previousVersion}`, () => evaluatePrompt(sameCases, spec.run, log, step));
    }
    result.passRate = result.candidate.passRate;
    if (result.candidate.passRate < spec.minPassRate) {
      result.refused = true;
      result.reason = `Promotion refused: ${key} ${label} passes ${result.candidate.passed}/${result.candidate.total} cases (${Math.round(result.candidate.passRate * 100)}%), below min-pass-rate ${spec.minPassRate}. Nothing was written.`;
    }
  }

  const heading = `### promote-prompt: \`${key}\` → \`${channel}\``;
  const outcome = result.refused
    ? `❌ ${result.reason}`
    : spec.dryRun
      ? `🔎 Dry run: ${label} ${gate ? 'passes the gate' : 'would be promoted'}${previousVersion ? ` (replacing ${previousVersion})` : ''}; nothing written.`
      : `✅ ${spec.rollback ? `Rollback to ${label}` : `Promote ${label}`}${previousVersion ? ` (replacing ${previousVersion})` : ' (first promotion on this channel)'}.`;
  const facts = [
    `- Candidate: ${candidate.source}, content \`${hash}\``,
    `- Promoted now: ${current ? `${previousVersion}, content \`${current.contentHash}\`, from ${current.commit.slice(0, 12)} by ${current.promotedBy} at ${current.promotedAt}` : 'nothing'}`,
    `- Gate: ${gate ? `min-pass-rate ${spec.minPassRate}` : spec.rollback ? 'skipped for a rollback' : 'off (eval: false)'}`,
  ];
  const diff = unifiedDiff(currentText ?? '', candidate.text, { from: current ? `${key} (${channel}: ${previousVersion})` : '/dev/null', to: `${key} (${label})` });
  const sections = [heading, '', outcome, '', ...facts];
  if (result.candidate) sections.push('', '#### Eval', '', evalTable(result.candidate, result.current));
  sections.push('', `#### Prompt diff against ${current ? `the promoted version (${previousVersion})` : 'nothing (first promotion)'}`, '', fenced(diff || '(no textual change)', 'diff'));
  // Registered secrets never reach the summary, the pull request or the comment.
  result.report = redact(`${sections.join('\n')}\n`);
  const body = result.report.length > MAX_BODY ? `${result.report.slice(0, MAX_BODY)}\n\n_(truncated; the job summary has the whole report)_\n` : result.report;

  const comment = async (pullNumber: number | undefined): Promise<void> => {
    if (!remote || pullNumber === undefined) return;
    const posted = await remote.repo.upsertComment(pullNumber, COMMENT_MARKER(key, channel), body);
    result.commentId = posted.id;
    log.info(`${posted.created ? 'posted' : 'updated'} the eval comment on #${pullNumber}`);
  };

  if (result.refused || spec.dryRun) {
    await comment(spec.triggeringPull);
    return result;
  }

  // The new lock: the candidate on top, the version it replaces first in `previous`.
  const entry: LockEntry = {
    contentHash: hash,
    version: candidate.definition.version ?? null,
    snapshot: snapshotPath(hash, key),
    commit: candidate.commit,
    promotedBy: spec.actor,
    promotedAt: now().toISOString(),
    eval: result.candidate ? evalSummary(result.candidate, spec.minPassRate) : null,
    ...(spec.rollback && current ? { rollbackOf: current.contentHash } : {}),
    previous: spec.rollback ? (current?.previous.slice(1) ?? []) : current ? [stripHistory(current), ...current.previous].slice(0, MAX_HISTORY) : [],
  };
  const nextLock: LockFile = { ...lock, prompts: { ...lock.prompts, [key]: { ...(lock.prompts[key] ?? {}), [channel]: entry } } };
  const lockOut = serializeLock(nextLock);
  const message = `${spec.rollback ? 'Roll back' : 'Promote'} ${key} to ${channel}: ${label}`;

  if (!remote) {
    writeLocalFile(resolve(spec.workspace, entry.snapshot), candidate.text);
    writeLocalFile(resolve(spec.workspace, LOCK_FILE), lockOut);
    step.append({ type: 'system.touched', system: 'filesystem', target: LOCK_FILE, operation: 'write', id: `${key}@${channel}` });
    log.info(`wrote ${entry.snapshot} and ${LOCK_FILE}; commit both`);
    if (gitIgnores(spec.workspace, [LOCK_FILE, entry.snapshot])) {
      log.warning(
        `${LOCK_FILE} or the snapshot is ignored by git here (a '.autostack/' line in .gitignore?). They must be committed: ignore '.autostack/runs/' and '.autostack/cache/' instead, or add '!${LOCK_FILE}' and '!${SNAPSHOT_DIRECTORY}/'.`,
      );
    }
  } else {
    const { repo, base: baseBranch } = remote;
    let branch = baseBranch;
    if (spec.mode === 'pull-request') {
      branch = `autostack/promote/${channel}/${slug(key)}`;
      const baseSha = await repo.branchSha(baseBranch);
      if (!baseSha) throw new UserError(`Base branch '${baseBranch}' does not exist in ${repo.fullName}; set base-branch.`);
      // The branch only ever holds this generated change, so it is rebuilt from the base each time.
      await repo.resetBranch(branch, baseSha);
    }
    // Snapshot first: a lock never names a snapshot the branch does not have.
    if (!(await repo.readFile(entry.snapshot, branch))) {
      await repo.writeFile(entry.snapshot, candidate.text, { branch, message: `${message} (snapshot)` });
    }
    const existingLock = await repo.readFile(LOCK_FILE, branch);
    result.committedSha = await repo.writeFile(LOCK_FILE, lockOut, { branch, message, sha: existingLock?.sha });
    if (spec.mode === 'pull-request') {
      const pull = await repo.upsertPull(branch, baseBranch, message, `${body}\n---\nMerging this pull request moves channel \`${channel}\` of \`${key}\` to ${label}: run-prompt with \`channel: ${channel}\` runs it from then on.\n`);
      result.pullRequestUrl = pull.url;
      result.pullRequestNumber = pull.number;
      log.info(`${pull.created ? 'opened' : 'updated'} pull request #${pull.number}: ${pull.url}`);
    } else {
      log.info(`committed ${LOCK_FILE} on ${baseBranch}: ${result.committedSha}`);
    }
  }
  result.promoted = spec.mode !== 'pull-request';
  await comment(spec.triggeringPull ?? result.pullRequestNumber);
  return result;
}
