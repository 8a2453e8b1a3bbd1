import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isBasicExpression, isBoolean, isMapping, isString } from '@actions/workflow-parser';
import { ensureStatusFunction } from '@actions/workflow-parser/model/converter/if-condition';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { ActionStep, RunStep } from '@actions/workflow-parser/model/workflow-template';
import { z } from 'zod';
import { storedRecordSchema } from '../runs/record.js';
import { UserError } from '../shared/errors.js';
import { redact, redactDeep, registerSecret } from '../shared/redact.js';
import { type ActionManifest, packageRoot, resolveAction, resolveReusableWorkflow, type ResolvedAction } from './actions.js';
import { parseEnvFile } from './env-file.js';
import {
  type Contexts,
  evaluateCondition,
  evaluateExpression,
  type EvaluationScope,
  interpolate,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  type Json,
  type StatusState,
  stringify,
} from './expressions.js';
import { field, type JobPlan, loadWorkflow, type LoadedWorkflow, locate, type StepPlan } from './load.js';
import { type DispatchRequest, type GitHubActivity, type JobsApiJob, LocalGitHub, type TokenOwner } from './local-github.js';
import type { LocalRunView } from './local-runs.js';
import { runProcess, type RunningProcess } from './process.js';
import { type Conclusion, Reporter } from './reporter.js';
import { matchTrigger } from './triggers.js';

export interface RunnerOptions {
  /** The checkout the workflow runs in (GITHUB_WORKSPACE); default: the working directory. */
  workspace?: string;
  /** owner/repo; default: from `git remote get-url origin`, else local/<folder>. */
  repository?: string;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Extra environment for every step (on top of PATH, HOME and the runner's variables). */
  env?: Record<string, string>;
  out?: NodeJS.WritableStream;
  quiet?: boolean;
  verbose?: boolean;
  /** Start the workflows a repository_dispatch / workflow_dispatch names (default true). */
  followDispatches?: boolean;
  /** Bound on workflow runs in one session (a dispatch loop stops here). */
  maxRuns?: number;
  /** Run this repository's run-prompt steps as `autostack run-prompt --record` (live API; writes recordings). */
  recordPrompts?: boolean;
  /** Node binary for node actions (default: this one). */
  nodePath?: string;
  keepTemp?: boolean;
}

export interface RunRequest {
  file: string;
  event: string;
  payload?: Json;
  inputs?: Record<string, string>;
  /** Run only this job (and the jobs it needs). */
  job?: string;
}

export interface StepResult {
  id: string;
  name: string;
  outcome: Conclusion;
  conclusion: Conclusion;
  outputs: Record<string, string>;
  durationMs: number;
  error?: string;
  annotations: Array<{ kind: 'error' | 'warning' | 'notice'; message: string }>;
  uses?: string;
}

export interface RecordRef {
  runId: string;
  path: string;
  job: string;
}

export interface JobResult {
  id: string;
  name: string;
  result: Conclusion;
  outputs: Record<string, string>;
  steps: StepResult[];
  durationMs: number;
  error?: string;
  /** For a job that calls a reusable workflow. */
  called?: WorkflowRunResult;
  /** For a matrix job: one result per combination, in order. */
  instances?: JobResult[];
  /** For one combination of a matrix job. */
  matrix?: Record<string, Json>;
}

export interface WorkflowRunResult {
  workflow: string;
  file: string;
  event: string;
  action?: string;
  runId: number;
  conclusion: Conclusion;
  durationMs: number;
  jobs: JobResult[];
  /** on.workflow_call.outputs, for a called workflow. */
  outputs: Record<string, string>;
  triggeredBy?: string;
  records: RecordRef[];
}

export interface RecordSummary {
  runId: string;
  path: string;
  name: string;
  status: string;
  steps: number;
  costUsd: number;
  job: string;
  workflow: string;
}

export interface SessionResult {
  conclusion: Conclusion;
  runs: WorkflowRunResult[];
  dispatches: Array<{ kind: string; repository: string; eventType?: string; workflow?: string; from: string; started: string[] }>;
  github: GitHubActivity[];
  records: RecordSummary[];
}

interface RunScope {
  workflow: LoadedWorkflow;
  eventName: string;
  payload: Json;
  eventPath: string;
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  runId: number;
  runNumber: number;
  depth: number;
  jobs: Map<string, JobResult>;
  records: RecordRef[];
  /** For called workflows: the caller job id, shown as "caller / job". */
  prefix: string;
  callerWorkflow?: LoadedWorkflow;
}

interface JobRuntime {
  scope: RunScope;
  plan: JobPlan;
  token: string;
  temp: string;
  env: Record<string, string>;
  exported: Record<string, string>;
  pathAdditions: string[];
  steps: Record<string, { outputs: Record<string, string>; outcome: Conclusion; conclusion: Conclusion }>;
  results: StepResult[];
  posts: Array<{ name: string; action: Extract<ResolvedAction, { kind: 'node' }>; inputs: Record<string, string>; state: Record<string, string>; env: Record<string, string>; id: string }>;
  failed: boolean;
  cancelled: boolean;
  deadline: number;
  summaries: string[];
  startedAt: string;
  jobsApi: JobsApiJob;
  counter: number;
  matrix: Record<string, Json>;
  strategy: Record<string, Json>;
}

const HOST_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ', 'SHELL'];
const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

function gitInfo(workspace: string): { repository?: string; sha?: string; branch?: string } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: workspace, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  const remote = git(['remote', 'get-url', 'origin']);
  const match = remote ? /github\.com[:/]([^/]+\/[^/]+?)(\.git)?$/.exec(remote) : null;
  return { repository: match?.[1], sha: git(['rev-parse', 'HEAD']), branch: git(['rev-parse', '--abbrev-ref', 'HEAD']) };
}

function oneLine(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}

/**
 * Runs workflow YAML on this machine: GitHub's parser and expression evaluator, steps as child
 * processes the way the runner starts them, and a loopback GitHub API so dispatch chains and the
 * GitHub tools work end to end.
 */
export class WorkflowRunner {
  private readonly workspace: string;
  private readonly repository: string;
  private readonly sha: string;
  private readonly ref: string;
  private readonly reporter: Reporter;
  private readonly github: LocalGitHub;
  private readonly root: string;
  private readonly tokens = new Map<string, TokenOwner>();
  private readonly liveJobs = new Map<number, JobsApiJob[]>();
  private readonly queue: Array<DispatchRequest | { kind: 'workflow_run'; run: WorkflowRunResult }> = [];
  private readonly dispatchLog: SessionResult['dispatches'] = [];
  private readonly runs: WorkflowRunResult[] = [];
  private readonly running = new Set<RunningProcess>();
  private nextRunId: number;
  private runNumber = 0;
  private cancelled = false;
  private folder = '';
  private currentPayload: Json = {};
  private readonly workflowCache = new Map<string, LoadedWorkflow | Error>();
  /** Dispatched runs as a waiting parent sees them (emit-event wait), by run id. */
  private readonly dispatchedRuns = new Map<number, LocalRunView>();
  /** Dispatched runs started early because a parent waits on them. */
  private readonly inflight: Array<Promise<void>> = [];

  constructor(private readonly options: RunnerOptions = {}) {
    this.workspace = resolve(options.workspace ?? process.cwd());
    const git = gitInfo(this.workspace);
    this.repository = options.repository ?? git.repository ?? `local/${basename(this.workspace)}`;
    this.sha = git.sha ?? '0'.repeat(40);
    this.ref = `refs/heads/${git.branch && git.branch !== 'HEAD' ? git.branch : 'main'}`;
    this.reporter = new Reporter(options.out ?? process.stdout, { quiet: options.quiet, verbose: options.verbose });
    this.root = mkdtempSync(join(tmpdir(), 'autostack-workflow-'));
    this.nextRunId = 10_000 + Math.floor(Math.random() * 80_000);
    for (const value of Object.values(options.secrets ?? {})) registerSecret(value);
    this.github = new LocalGitHub({
      repository: this.repository,
      workspace: this.workspace,
      owner: (token) => this.tokens.get(token),
      jobs: (runId) => this.liveJobs.get(runId),
      issue: (number) => this.issueFromPayload(number),
      workflowFile: (name) => this.workflowFile(name),
      dispatch: (request) => {
        const dispatched = { ...request, runId: this.nextRunId++ };
        this.queue.push(dispatched);
        const name = request.workflow ?? request.eventType ?? request.kind;
        this.dispatchedRuns.set(dispatched.runId, { runId: dispatched.runId, name, displayTitle: name, event: request.kind, status: 'queued', conclusion: null, createdAt: new Date().toISOString(), records: [] });
        return dispatched;
      },
      runs: { runs: () => [...this.dispatchedRuns.values()], wanted: (runId) => this.startWanted(runId) },
    });
  }

  /** Ctrl-C: the running step is interrupted; always() steps and post steps still run, as on GitHub. */
  cancel(): void {
    this.cancelled = true;
    for (const process of this.running) process.cancel();
  }

  async run(request: RunRequest): Promise<SessionResult> {
    const path = resolve(request.file);
    this.folder = dirname(path);
    await this.github.start();
    try {
      const workflow = await loadWorkflow(path, this.workspace);
      const payload = request.payload ?? defaultPayload(workflow, request.event);
      const match = matchTrigger(workflow.template.events ?? {}, request.event, payload);
      if (!match.matched) throw new UserError(`${workflow.display} does not run on this event: ${match.reason}`, { file: workflow.display });
      for (const note of match.notes) this.reporter.note(note, 0);
      const inputs = this.triggerInputs(workflow, request.event, request.inputs ?? {});
      if (request.event === 'workflow_dispatch' && payload && typeof payload === 'object' && !Array.isArray(payload) && !payload.inputs) {
        (payload as Record<string, Json>).inputs = Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, stringify(value)]));
      }
      await this.runWorkflow(workflow, { eventName: request.event, payload, inputs, secrets: this.options.secrets ?? {}, onlyJob: request.job });
      await this.followDispatches();
    } finally {
      await this.github.close();
      if (!this.options.keepTemp) rmSync(this.root, { recursive: true, force: true });
    }
    const records = this.readRecords();
    const result: SessionResult = {
      conclusion: this.cancelled ? 'cancelled' : this.runs.some((run) => run.conclusion === 'failure') ? 'failure' : 'success',
      runs: this.runs,
      dispatches: this.dispatchLog,
      github: this.github.activity,
      records,
    };
    this.printSummary(result);
    return redactDeep(result);
  }

  // -------------------------------------------------------------------------------------------
  // Workflows

  /** A parent polls a run it dispatched: start that run now, beside the parent, instead of after it. */
  private startWanted(runId: number): void {
    const index = this.queue.findIndex((item) => item.kind !== 'workflow_run' && item.runId === runId);
    const request = this.queue[index];
    if (!request || request.kind === 'workflow_run' || this.options.followDispatches === false) return;
    this.queue.splice(index, 1);
    this.inflight.push(
      this.followDispatch(request, this.options.maxRuns ?? 20).catch((error: unknown) => {
        this.reporter.line(`error: dispatched run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
        const view = this.dispatchedRuns.get(runId);
        if (view) Object.assign(view, { status: 'completed', conclusion: 'failure' });
      }),
    );
  }

  private async followDispatches(): Promise<void> {
    const maxRuns = this.options.maxRuns ?? 20;
    while (this.queue.length > 0 || this.inflight.length > 0) {
      const request = this.queue.shift();
      if (!request) {
        await Promise.all(this.inflight.splice(0));
        continue;
      }
      if (request.kind === 'workflow_run') {
        await this.followWorkflowRun(request.run, maxRuns);
        continue;
      }
      await this.followDispatch(request, maxRuns);
    }
  }

  private async followDispatch(request: DispatchRequest, maxRuns: number): Promise<void> {
    const view = this.dispatchedRuns.get(request.runId);
    if (view) view.status = 'in_progress';
    const from = `${request.from.workflow} / ${request.from.job}`;
    const entry = {
      kind: request.kind,
      repository: request.repository,
      ...(request.eventType ? { eventType: request.eventType } : {}),
      ...(request.workflow ? { workflow: request.workflow } : {}),
      from,
      started: [] as string[],
    };
    this.dispatchLog.push(entry);
    const what = request.kind === 'repository_dispatch' ? `repository_dispatch '${request.eventType}'` : `workflow_dispatch of ${request.workflow}`;
    if (request.repository.toLowerCase() !== this.repository.toLowerCase()) {
      this.reporter.line(`\n↪ ${what} to ${request.repository} (from ${from}): another repository, not run locally`);
      return;
    }
    if (this.options.followDispatches === false) {
      this.reporter.line(`\n↪ ${what} (from ${from}): not followed (--no-follow)`);
      return;
    }
    const targets = await this.dispatchTargets(request);
    if (targets.length === 0) {
      this.reporter.line(`\n↪ ${what} (from ${from}): no workflow in ${this.folder} runs on it`);
      return;
    }
    for (const { workflow, eventName, payload, inputs } of targets) {
      if (this.runs.length >= maxRuns) {
        throw new UserError(`dispatch chain stopped: more than ${maxRuns} workflow runs in one session (a dispatch loop?). Raise --max-runs if the chain is meant to be this long.`);
      }
      this.reporter.line(`\n↪ ${what} (from ${from}) starts ${workflow.display}`);
      entry.started.push(workflow.display);
      const result = await this.runWorkflow(workflow, { eventName, payload, inputs, secrets: this.options.secrets ?? {}, triggeredBy: `${what} from ${from}`, runId: request.runId });
      if (view) Object.assign(view, { name: result.workflow, displayTitle: result.workflow, records: result.records, conclusion: result.conclusion });
    }
    if (view) Object.assign(view, { status: 'completed', conclusion: view.conclusion ?? 'success' });
  }

  /** on: workflow_run — a finished run starts the folder's workflows that listen for it. */
  private async followWorkflowRun(run: WorkflowRunResult, maxRuns: number): Promise<void> {
    const [owner = '', name = ''] = this.repository.split('/');
    const payload: Json = {
      action: 'completed',
      workflow_run: { id: run.runId, name: run.workflow, path: run.file, event: run.event, status: 'completed', conclusion: run.conclusion, head_branch: this.ref.replace('refs/heads/', ''), head_sha: this.sha, html_url: `https://github.com/${this.repository}/actions/runs/${run.runId}` },
      workflow: { name: run.workflow, path: run.file },
      repository: { full_name: this.repository, name, owner: { login: owner } },
      sender: { login: 'octocat', type: 'User' },
    };
    for (const workflow of await this.folderWorkflows()) {
      if (!matchTrigger(workflow.template.events ?? {}, 'workflow_run', payload).matched) continue;
      if (this.options.followDispatches === false) {
        this.reporter.line(`\n↪ workflow_run of '${run.workflow}' would start ${workflow.display}: not followed (--no-follow)`);
        continue;
      }
      if (this.runs.length >= maxRuns) {
        throw new UserError(`workflow chain stopped: more than ${maxRuns} workflow runs in one session (a workflow_run loop?). Raise --max-runs if the chain is meant to be this long.`);
      }
      this.reporter.line(`\n↪ workflow_run of '${run.workflow}' (${run.conclusion}) starts ${workflow.display}`);
      this.dispatchLog.push({ kind: 'workflow_run', repository: this.repository, workflow: run.workflow, from: run.file, started: [workflow.display] });
      await this.runWorkflow(workflow, { eventName: 'workflow_run', payload, inputs: {}, secrets: this.options.secrets ?? {}, triggeredBy: `workflow_run of '${run.workflow}'` });
    }
  }

  private async folderWorkflows(): Promise<LoadedWorkflow[]> {
    const files = readdirSync(this.folder)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
    const workflows: LoadedWorkflow[] = [];
    for (const name of files) {
      const path = join(this.folder, name);
      let loaded = this.workflowCache.get(path);
      if (!loaded) {
        try {
          loaded = await loadWorkflow(path, this.workspace);
        } catch (error) {
          loaded = error as Error;
          this.reporter.line(`warning: ${name} is not considered for dispatches: ${(error as Error).message.split('\n')[0]}`);
        }
        this.workflowCache.set(path, loaded);
      }
      if (!(loaded instanceof Error)) workflows.push(loaded);
    }
    return workflows;
  }

  private async dispatchTargets(request: DispatchRequest): Promise<Array<{ workflow: LoadedWorkflow; eventName: string; payload: Json; inputs: Record<string, Json> }>> {
    const sender = { login: 'github-actions[bot]', type: 'Bot' };
    const repository = { full_name: this.repository, name: this.repository.split('/')[1] ?? '', owner: { login: this.repository.split('/')[0] ?? '' } };
    if (request.kind === 'repository_dispatch') {
      const payload: Json = { action: request.eventType ?? '', branch: this.ref.replace('refs/heads/', ''), client_payload: request.clientPayload ?? {}, repository, sender };
      const targets = [];
      for (const workflow of await this.folderWorkflows()) {
        if (matchTrigger(workflow.template.events ?? {}, 'repository_dispatch', payload).matched) {
          targets.push({ workflow, eventName: 'repository_dispatch', payload, inputs: {} });
        }
      }
      return targets;
    }
    const file = this.workflowFile(request.workflow ?? '');
    if (!file) return [];
    const workflow = await loadWorkflow(join(this.folder, basename(file.path)), this.workspace);
    if (!workflow.template.events?.workflow_dispatch) {
      throw new UserError(`workflow_dispatch of ${workflow.display}: the workflow has no on.workflow_dispatch trigger (GitHub answers 422).`);
    }
    const raw = Object.fromEntries(Object.entries(request.inputs ?? {}).map(([key, value]) => [key, stringify(value)]));
    const inputs = this.triggerInputs(workflow, 'workflow_dispatch', raw);
    const payload: Json = { inputs: raw, ref: request.ref ?? this.ref, repository, sender, workflow: `.github/workflows/${basename(file.path)}` };
    return [{ workflow, eventName: 'workflow_dispatch', payload, inputs }];
  }

  private workflowFile(name: string): { path: string; name: string } | undefined {
    const file = readdirSync(this.folder).find((candidate) => candidate === name || candidate === `${name}.yml`);
    if (!file) return undefined;
    return { path: join(this.folder, file), name: file };
  }

  private issueFromPayload(number: number): Record<string, Json> | undefined {
    const payload = this.currentPayload;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
    for (const key of ['issue', 'pull_request']) {
      const item = payload[key];
      if (item && typeof item === 'object' && !Array.isArray(item) && item.number === number) return item;
    }
    return undefined;
  }

  /** Typed `inputs` for workflow_dispatch / workflow_call, from --input strings and declared defaults. */
  private triggerInputs(workflow: LoadedWorkflow, eventName: string, given: Record<string, string | Json>, where?: string): Record<string, Json> {
    const on = field(workflow.root, 'on');
    const trigger = on && isMapping(on) ? on.find(eventName) : undefined;
    const declared = trigger && isMapping(trigger) ? trigger.find('inputs') : undefined;
    const result: Record<string, Json> = {};
    const names = new Set<string>();
    const location = where ?? workflow.display;
    if (declared && isMapping(declared)) {
      for (const pair of declared) {
        const name = isString(pair.key) ? pair.key.value : '';
        names.add(name);
        const spec = isMapping(pair.value) ? pair.value : undefined;
        const typeToken = spec?.find('type');
        const type = typeToken && isString(typeToken) ? typeToken.value : 'string';
        const requiredToken = spec?.find('required');
        const required = Boolean(requiredToken && isBoolean(requiredToken) && requiredToken.value);
        const defaultToken = spec?.find('default');
        let value: Json | undefined = given[name];
        if (value === undefined && defaultToken) {
          value = evaluateToken(defaultToken, { contexts: { github: this.githubContext(workflow, eventName, {}, 0, '') }, where: locate(workflow.display, defaultToken) });
        }
        if (value === undefined) {
          if (required) throw new UserError(`${location}: input '${name}' is required by ${workflow.display} and has no default; pass --input ${name}=VALUE${eventName === 'workflow_call' ? ' (or with: in the caller)' : ''}.`);
          value = type === 'boolean' ? false : type === 'number' ? 0 : '';
        }
        result[name] = coerceInput(name, type, value, spec, location);
      }
    }
    for (const name of Object.keys(given)) {
      if (!names.has(name)) {
        const known = [...names].join(', ') || 'none';
        throw new UserError(`${location}: ${workflow.display} declares no ${eventName} input '${name}' (declared: ${known}).`);
      }
    }
    return result;
  }

  private githubContext(workflow: LoadedWorkflow, eventName: string, payload: Json, runId: number, eventPath: string, token = '', job = ''): Record<string, Json> {
    const [owner = ''] = this.repository.split('/');
    const refName = this.ref.replace(/^refs\/(heads|tags)\//, '');
    return {
      action: '',
      action_path: '',
      actor: 'octocat',
      api_url: this.github.url,
      base_ref: '',
      event: payload,
      event_name: eventName,
      event_path: eventPath,
      graphql_url: `${this.github.url}/graphql`,
      head_ref: '',
      job,
      ref: this.ref,
      ref_name: refName,
      ref_type: 'branch',
      repository: this.repository,
      repository_owner: owner,
      retention_days: '90',
      run_attempt: '1',
      run_id: String(runId),
      run_number: String(this.runNumber),
      server_url: 'https://github.com',
      sha: this.sha,
      token,
      triggering_actor: 'octocat',
      workflow: workflow.name,
      workflow_ref: `${this.repository}/${workflow.display}@${this.ref}`,
      workspace: this.workspace,
    };
  }

  private async runWorkflow(
    workflow: LoadedWorkflow,
    trigger: {
      eventName: string;
      payload: Json;
      inputs: Record<string, Json>;
      secrets: Record<string, string>;
      onlyJob?: string | undefined;
      triggeredBy?: string;
      runId?: number;
      call?: { parent: RunScope; jobId: string };
    },
  ): Promise<WorkflowRunResult> {
    await this.preflight(workflow, new Set());
    const started = Date.now();
    const parent = trigger.call?.parent;
    const depth = parent ? parent.depth + 1 : 0;
    const runId = parent?.runId ?? trigger.runId ?? this.nextRunId++;
    if (!parent) this.runNumber++;
    let eventPath = parent?.eventPath;
    if (!eventPath) {
      eventPath = join(this.root, `event-${runId}.json`);
      writeFileSync(eventPath, JSON.stringify(trigger.payload, null, 2));
    }
    if (!parent) this.currentPayload = trigger.payload;
    const scope: RunScope = {
      workflow,
      eventName: trigger.eventName,
      payload: trigger.payload,
      eventPath,
      inputs: trigger.inputs,
      secrets: trigger.secrets,
      runId,
      runNumber: this.runNumber,
      depth,
      jobs: new Map(),
      records: [],
      prefix: trigger.call ? `${parent?.prefix ?? ''}${trigger.call.jobId} / ` : '',
      ...(parent ? { callerWorkflow: parent.workflow } : {}),
    };
    const action = trigger.payload && typeof trigger.payload === 'object' && !Array.isArray(trigger.payload) && typeof trigger.payload.action === 'string' ? trigger.payload.action : undefined;
    this.reporter.workflowStart(workflow.name, workflow.display, `${trigger.eventName}${action ? `.${action}` : ''}`, trigger.triggeredBy ?? (trigger.call ? `called by job ${trigger.call.jobId}` : undefined), depth);

    for (const note of localNotes(workflow)) this.reporter.note(note, depth);
    const selected = this.selectJobs(workflow, trigger.onlyJob);
    const order = topologicalOrder(selected);
    for (const plan of order) {
      const result = await this.runJob(scope, plan);
      scope.jobs.set(plan.id, result);
    }
    const jobs = [...scope.jobs.values()];
    const conclusion: Conclusion = this.cancelled
      ? 'cancelled'
      : jobs.some((job) => job.result === 'failure')
        ? 'failure'
        : jobs.some((job) => job.result === 'cancelled')
          ? 'cancelled'
          : 'success';
    const outputs = trigger.call ? this.workflowCallOutputs(scope) : {};
    const result: WorkflowRunResult = {
      workflow: workflow.name,
      file: workflow.display,
      event: trigger.eventName,
      ...(action ? { action } : {}),
      runId,
      conclusion,
      durationMs: Date.now() - started,
      jobs,
      outputs,
      ...(trigger.triggeredBy ? { triggeredBy: trigger.triggeredBy } : {}),
      records: scope.records,
    };
    this.reporter.workflowEnd(workflow.name, conclusion, result.durationMs, depth);
    if (!parent) {
      this.runs.push(result);
      if (!this.cancelled) this.queue.push({ kind: 'workflow_run', run: result });
    }
    else parent.records.push(...scope.records);
    return result;
  }

  /** Resolves every action and reusable workflow up front, so an unsupported one stops the run before any step. */
  private async preflight(workflow: LoadedWorkflow, seen: Set<string>): Promise<void> {
    if (seen.has(workflow.path)) return;
    seen.add(workflow.path);
    for (const plan of workflow.jobs) {
      if (plan.model.type === 'reusableWorkflowJob') {
        const where = locate(workflow.display, plan.model.ref);
        const path = resolveReusableWorkflow(plan.model.ref.value, this.workspace, where);
        await this.preflight(await loadWorkflow(path, this.workspace), seen);
        continue;
      }
      for (const step of plan.steps) {
        if ('uses' in step.model) resolveAction(step.model.uses.value, this.workspace, step.where);
      }
    }
  }

  private selectJobs(workflow: LoadedWorkflow, onlyJob: string | undefined): JobPlan[] {
    if (!onlyJob) return workflow.jobs;
    const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
    if (!byId.has(onlyJob)) throw new UserError(`--job ${onlyJob}: ${workflow.display} has no such job (jobs: ${workflow.jobs.map((job) => job.id).join(', ')}).`);
    const wanted = new Set<string>();
    const visit = (id: string) => {
      if (wanted.has(id)) return;
      wanted.add(id);
      for (const need of byId.get(id)?.needs ?? []) visit(need);
    };
    visit(onlyJob);
    if (wanted.size > 1) this.reporter.note(`--job ${onlyJob} also runs the jobs it needs: ${[...wanted].filter((id) => id !== onlyJob).join(', ')}`, 0);
    return workflow.jobs.filter((job) => wanted.has(job.id));
  }

  private workflowCallOutputs(scope: RunScope): Record<string, string> {
    const on = field(scope.workflow.root, 'on');
    const call = on && isMapping(on) ? on.find('workflow_call') : undefined;
    const outputs = call && isMapping(call) ? call.find('outputs') : undefined;
    const result: Record<string, string> = {};
    if (!outputs || !isMapping(outputs)) return result;
    const jobs: Record<string, Json> = {};
    for (const [id, job] of scope.jobs) jobs[id] = { outputs: job.outputs, result: job.result };
    for (const pair of outputs) {
      const name = isString(pair.key) ? pair.key.value : '';
      const value = isMapping(pair.value) ? pair.value.find('value') : undefined;
      result[name] = evaluateString(value, {
        contexts: { github: this.githubContext(scope.workflow, scope.eventName, scope.payload, scope.runId, scope.eventPath), inputs: scope.inputs, vars: this.options.vars ?? {}, jobs },
        where: locate(scope.workflow.display, value ?? pair.key),
      });
    }
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Jobs

  private needsContext(scope: RunScope, plan: JobPlan): Record<string, Json> {
    const needs: Record<string, Json> = {};
    for (const id of plan.needs) {
      const job = scope.jobs.get(id);
      needs[id] = { outputs: job?.outputs ?? {}, result: job?.result ?? 'skipped' };
    }
    return needs;
  }

  private jobStatus(scope: RunScope, plan: JobPlan): StatusState {
    const ancestors = new Set<string>();
    const byId = new Map(scope.workflow.jobs.map((job) => [job.id, job]));
    const visit = (id: string) => {
      for (const need of byId.get(id)?.needs ?? []) {
        if (!ancestors.has(need)) {
          ancestors.add(need);
          visit(need);
        }
      }
    };
    visit(plan.id);
    const results = [...ancestors].map((id) => scope.jobs.get(id)?.result ?? 'skipped');
    return {
      success: results.every((result) => result === 'success'),
      failure: results.some((result) => result === 'failure'),
      cancelled: this.cancelled,
    };
  }

  /** A job, or each combination of its strategy.matrix in order (fail-fast cancels the rest after a failure). */
  private async runJob(scope: RunScope, plan: JobPlan): Promise<JobResult> {
    const strategy = field(plan.raw, 'strategy');
    const matrixToken = strategy && isMapping(strategy) ? strategy.find('matrix') : undefined;
    if (!strategy || !isMapping(strategy) || !matrixToken) return this.runJobInstance(scope, plan, undefined);
    const started = Date.now();
    const where = locate(scope.workflow.display, matrixToken);
    const contexts: Contexts = {
      github: this.githubContext(scope.workflow, scope.eventName, scope.payload, scope.runId, scope.eventPath, '', plan.id),
      needs: this.needsContext(scope, plan),
      inputs: scope.inputs,
      vars: this.options.vars ?? {},
    };
    const combinations = expandMatrix(evaluateToken(matrixToken, { contexts, where }), where);
    const failFastToken = strategy.find('fail-fast');
    const failFast = failFastToken ? flag(failFastToken, { contexts, where }) : true;
    const instances: JobResult[] = [];
    for (const [index, matrix] of combinations.entries()) {
      const label = `${plan.id} (${Object.values(matrix).map((value) => stringify(value)).join(', ')})`;
      if (failFast && instances.some((instance) => instance.result === 'failure')) {
        this.reporter.jobSkipped(`${scope.prefix}${label}`, 'cancelled by fail-fast', scope.depth);
        instances.push({ id: plan.id, name: label, result: 'cancelled', outputs: {}, steps: [], durationMs: 0, matrix });
        continue;
      }
      const strategyContext = { 'fail-fast': failFast, 'job-index': index, 'job-total': combinations.length, 'max-parallel': combinations.length };
      instances.push(await this.runJobInstance(scope, plan, { matrix, strategy: strategyContext, label }));
    }
    const results = instances.map((instance) => instance.result);
    const result: Conclusion = results.includes('failure') ? 'failure' : results.includes('cancelled') ? 'cancelled' : results.every((entry) => entry === 'skipped') ? 'skipped' : 'success';
    // GitHub keeps the outputs of whichever matrix job set them last.
    const outputs = Object.assign({}, ...instances.map((instance) => instance.outputs)) as Record<string, string>;
    return { id: plan.id, name: plan.id, result, outputs, steps: [], durationMs: Date.now() - started, instances };
  }

  private async runJobInstance(scope: RunScope, plan: JobPlan, instance: { matrix: Record<string, Json>; strategy: Record<string, Json>; label: string } | undefined): Promise<JobResult> {
    const started = Date.now();
    const depth = scope.depth;
    const display = `${scope.prefix}${instance?.label ?? plan.id}`;
    const baseContexts: Contexts = {
      github: this.githubContext(scope.workflow, scope.eventName, scope.payload, scope.runId, scope.eventPath, '', plan.id),
      needs: this.needsContext(scope, plan),
      inputs: scope.inputs,
      vars: this.options.vars ?? {},
      strategy: instance?.strategy ?? {},
      matrix: instance?.matrix ?? {},
    };
    const condition = plan.model.if.expression;
    const shouldRun = evaluateCondition(condition, { contexts: baseContexts, status: this.jobStatus(scope, plan), where: locate(scope.workflow.display, field(plan.raw, 'if') ?? plan.model.id) });
    const nameToken = field(plan.raw, 'name');
    const name = nameToken ? evaluateString(nameToken, { contexts: baseContexts, where: plan.where }) : plan.id;
    if (!shouldRun) {
      this.reporter.jobSkipped(display, `if: ${condition}`, depth);
      return { id: plan.id, name, result: 'skipped', outputs: {}, steps: [], durationMs: 0 };
    }
    if (plan.model.type === 'reusableWorkflowJob') return this.runReusableJob(scope, plan, baseContexts, name, started);

    const continueOnErrorToken = field(plan.raw, 'continue-on-error');
    this.reporter.jobStart(display, name === plan.id ? '' : name, depth);
    const token = `ghs_local${randomBytes(16).toString('hex')}`;
    registerSecret(token);
    this.tokens.set(token, { workflow: scope.workflow.name, job: display, runId: scope.runId });
    const temp = join(this.root, `${scope.runId}-${display.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
    mkdirSync(join(temp, 'temp'), { recursive: true });
    mkdirSync(join(temp, 'files'), { recursive: true });
    const timeoutToken = field(plan.raw, 'timeout-minutes');
    const timeoutMinutes = timeoutToken ? Number(evaluateString(timeoutToken, { contexts: baseContexts, where: plan.where })) : DEFAULT_JOB_TIMEOUT_MINUTES;
    if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
      throw new UserError(`${locate(scope.workflow.display, timeoutToken)}: timeout-minutes must be a positive number`);
    }
    const runtime: JobRuntime = {
      scope,
      plan,
      token,
      temp,
      env: {},
      exported: {},
      pathAdditions: [],
      steps: {},
      results: [],
      posts: [],
      failed: false,
      cancelled: false,
      deadline: Date.now() + timeoutMinutes * 60_000,
      summaries: [],
      startedAt: new Date().toISOString(),
      counter: 0,
      matrix: instance?.matrix ?? {},
      strategy: instance?.strategy ?? {},
      jobsApi: {
        id: scope.runId * 100 + scope.jobs.size + 1,
        run_id: scope.runId,
        name,
        status: 'in_progress',
        conclusion: null,
        runner_name: `autostack-local-${scope.runId}-${plan.id}${instance ? `-${instance.strategy['job-index']}` : ''}`,
        started_at: new Date().toISOString(),
        steps: [],
      },
    };
    const liveJobs = this.liveJobs.get(scope.runId) ?? [];
    liveJobs.push(runtime.jobsApi);
    this.liveJobs.set(scope.runId, liveJobs);

    let error: string | undefined;
    let outputs: Record<string, string> = {};
    try {
      const jobContexts = { ...baseContexts, github: { ...(baseContexts.github as Record<string, Json>), token }, secrets: this.secretsContext(scope, token) };
      const workflowEnv = evaluateStringMap(field(scope.workflow.root, 'env'), { contexts: jobContexts, where: scope.workflow.display });
      const jobEnv = evaluateStringMap(field(plan.raw, 'env'), { contexts: { ...jobContexts, env: workflowEnv }, where: plan.where });
      runtime.env = { ...workflowEnv, ...jobEnv };
      for (const step of plan.steps) await this.runStep(runtime, step);
      await this.runPosts(runtime);
      outputs = this.jobOutputs(runtime);
    } catch (caught) {
      if (!(caught instanceof UserError)) throw caught;
      error = caught.message;
      runtime.failed = true;
      this.reporter.annotation('error', caught.message, depth);
      await this.runPosts(runtime);
    }
    if (Date.now() > runtime.deadline && !error) {
      error = `The job exceeded its timeout-minutes (${timeoutMinutes}).`;
    }
    let result: Conclusion = this.cancelled ? 'cancelled' : runtime.failed || runtime.cancelled ? 'failure' : 'success';
    if (result === 'failure' && continueOnErrorToken && flag(continueOnErrorToken, { contexts: baseContexts, where: plan.where })) {
      this.reporter.note(`job ${display} failed; continue-on-error lets the workflow go on`, depth);
      result = 'success';
    }
    runtime.jobsApi.status = 'completed';
    runtime.jobsApi.conclusion = result;
    if (runtime.summaries.length > 0) {
      const summaryPath = join(this.workspace, '.autostack', 'summaries', `${scope.runId}-${display.replace(/[^A-Za-z0-9_.-]+/g, '_')}.md`);
      mkdirSync(dirname(summaryPath), { recursive: true });
      writeFileSync(summaryPath, redact(runtime.summaries.join('\n')));
      this.reporter.line(`${'  '.repeat(depth)}│ job summary: ${summaryPath.replace(`${this.workspace}/`, '')}`);
    }
    const durationMs = Date.now() - started;
    this.reporter.jobEnd(display, result, durationMs, outputs, depth);
    return { id: plan.id, name, result, outputs, steps: runtime.results, durationMs, ...(error ? { error } : {}), ...(instance ? { matrix: instance.matrix } : {}) };
  }

  private secretsContext(scope: RunScope, token: string): Record<string, Json> {
    return { ...scope.secrets, GITHUB_TOKEN: token, github_token: token };
  }

  private jobOutputs(runtime: JobRuntime): Record<string, string> {
    const outputs: Record<string, string> = {};
    const token = field(runtime.plan.raw, 'outputs');
    if (!token || !isMapping(token)) return outputs;
    const contexts = this.stepContexts(runtime, {});
    for (const pair of token) {
      const name = isString(pair.key) ? pair.key.value : '';
      const value = evaluateString(pair.value, { contexts, where: locate(runtime.scope.workflow.display, pair.value) });
      if (redact(value) !== value) {
        this.reporter.annotation('warning', `Skip output '${name}' since it may contain secret.`, runtime.scope.depth);
        continue;
      }
      outputs[name] = value;
    }
    return outputs;
  }

  private async runReusableJob(scope: RunScope, plan: JobPlan, contexts: Contexts, name: string, started: number): Promise<JobResult> {
    const model = plan.model;
    if (model.type !== 'reusableWorkflowJob') throw new Error('not a reusable workflow job');
    const where = locate(scope.workflow.display, model.ref);
    const path = resolveReusableWorkflow(model.ref.value, this.workspace, where);
    const called = await loadWorkflow(path, this.workspace);
    if (!called.template.events?.workflow_call) {
      throw new UserError(`${where}: ${called.display} cannot be called: it has no on.workflow_call trigger.`);
    }
    if (scope.depth >= 3) throw new UserError(`${where}: reusable workflows nest at most 4 levels deep (GitHub's limit).`);
    const token = `ghs_local${randomBytes(16).toString('hex')}`;
    registerSecret(token);
    this.tokens.set(token, { workflow: scope.workflow.name, job: `${scope.prefix}${plan.id}`, runId: scope.runId });
    const inputsGiven: Record<string, Json> = {};
    const withToken = model['input-values'];
    if (withToken && isMapping(withToken)) {
      for (const pair of withToken) {
        const key = isString(pair.key) ? pair.key.value : '';
        inputsGiven[key] = evaluateToken(pair.value, { contexts, where: locate(scope.workflow.display, pair.value) });
      }
    }
    const inputs = this.triggerInputs(called, 'workflow_call', inputsGiven, where);
    let secrets: Record<string, string> = {};
    if (model['inherit-secrets']) secrets = { ...scope.secrets };
    else if (model['secret-values']) {
      secrets = evaluateStringMap(model['secret-values'], { contexts: { ...contexts, secrets: this.secretsContext(scope, token) }, where });
    }
    const on = field(called.root, 'on');
    const call = on && isMapping(on) ? on.find('workflow_call') : undefined;
    const declaredSecrets = call && isMapping(call) ? call.find('secrets') : undefined;
    if (declaredSecrets && isMapping(declaredSecrets)) {
      for (const pair of declaredSecrets) {
        const secretName = isString(pair.key) ? pair.key.value : '';
        const required = isMapping(pair.value) ? pair.value.find('required') : undefined;
        if (required && isBoolean(required) && required.value && !(secretName in secrets) && !model['inherit-secrets']) {
          throw new UserError(`${where}: ${called.display} requires secret '${secretName}'; pass it under secrets: (or secrets: inherit).`);
        }
      }
    }
    const result = await this.runWorkflow(called, { eventName: scope.eventName, payload: scope.payload, inputs, secrets, call: { parent: scope, jobId: plan.id } });
    return {
      id: plan.id,
      name,
      result: result.conclusion,
      outputs: result.outputs,
      steps: [],
      durationMs: Date.now() - started,
      called: result,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Steps

  private stepContexts(runtime: JobRuntime, extra: Record<string, Json>): Contexts {
    const { scope, plan, token } = runtime;
    const steps: Record<string, Json> = {};
    for (const [id, step] of Object.entries(runtime.steps)) steps[id] = { outputs: step.outputs, outcome: step.outcome, conclusion: step.conclusion };
    return {
      github: { ...this.githubContext(scope.workflow, scope.eventName, scope.payload, scope.runId, scope.eventPath, token, plan.id), ...extra },
      env: { ...runtime.env, ...runtime.exported },
      job: { status: runtime.cancelled || this.cancelled ? 'cancelled' : runtime.failed ? 'failure' : 'success' },
      steps,
      runner: { os: 'Linux', arch: process.arch === 'arm64' ? 'ARM64' : 'X64', name: runtime.jobsApi.runner_name, temp: join(runtime.temp, 'temp'), tool_cache: join(this.root, 'tool-cache'), environment: 'self-hosted' },
      secrets: this.secretsContext(scope, token),
      needs: this.needsContext(scope, plan),
      inputs: scope.inputs,
      vars: this.options.vars ?? {},
      strategy: runtime.strategy,
      matrix: runtime.matrix,
    };
  }

  private stepStatus(runtime: JobRuntime): StatusState {
    const cancelled = this.cancelled || runtime.cancelled;
    return { success: !runtime.failed, failure: runtime.failed, cancelled };
  }

  private baseEnv(runtime: JobRuntime, files: Record<string, string>): Record<string, string> {
    const { scope, plan } = runtime;
    const env: Record<string, string> = {};
    for (const key of HOST_ENV) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    const [owner = ''] = this.repository.split('/');
    // A parent waiting on a child it dispatched (emit-event wait) polls the loopback API: no need for GitHub's 10 s.
    env.AUTOSTACK_WAIT_POLL_MS = '250';
    Object.assign(env, this.options.env ?? {}, {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      AUTOSTACK_LOCAL_RUNNER: '1',
      GITHUB_ACTOR: 'octocat',
      GITHUB_API_URL: this.github.url,
      GITHUB_GRAPHQL_URL: `${this.github.url}/graphql`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_BASE_REF: '',
      GITHUB_HEAD_REF: '',
      GITHUB_EVENT_NAME: scope.eventName,
      GITHUB_EVENT_PATH: scope.eventPath,
      GITHUB_JOB: plan.id,
      GITHUB_REF: this.ref,
      GITHUB_REF_NAME: this.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REPOSITORY: this.repository,
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_RETENTION_DAYS: '90',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RUN_ID: String(scope.runId),
      GITHUB_RUN_NUMBER: String(scope.runNumber),
      GITHUB_SHA: this.sha,
      GITHUB_TRIGGERING_ACTOR: 'octocat',
      GITHUB_WORKFLOW: (scope.callerWorkflow ?? scope.workflow).name,
      GITHUB_WORKFLOW_REF: `${this.repository}/${(scope.callerWorkflow ?? scope.workflow).display}@${this.ref}`,
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
      RUNNER_NAME: runtime.jobsApi.runner_name,
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: join(runtime.temp, 'temp'),
      RUNNER_TOOL_CACHE: join(this.root, 'tool-cache'),
      ...(this.options.verbose ? { RUNNER_DEBUG: '1' } : {}),
    });
    Object.assign(env, runtime.env, runtime.exported, files);
    if (runtime.pathAdditions.length > 0) env.PATH = [...[...runtime.pathAdditions].reverse(), env.PATH ?? ''].join(':');
    return env;
  }

  private stepFiles(runtime: JobRuntime): { GITHUB_OUTPUT: string; GITHUB_ENV: string; GITHUB_PATH: string; GITHUB_STATE: string; GITHUB_STEP_SUMMARY: string } {
    const id = ++runtime.counter;
    const files = {
      GITHUB_OUTPUT: join(runtime.temp, 'files', `output-${id}`),
      GITHUB_ENV: join(runtime.temp, 'files', `env-${id}`),
      GITHUB_PATH: join(runtime.temp, 'files', `path-${id}`),
      GITHUB_STATE: join(runtime.temp, 'files', `state-${id}`),
      GITHUB_STEP_SUMMARY: join(runtime.temp, 'files', `summary-${id}`),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    return files;
  }

  private async runStep(runtime: JobRuntime, step: StepPlan): Promise<void> {
    const { scope } = runtime;
    const display = scope.workflow.display;
    const depth = scope.depth;
    const model = step.model as RunStep | ActionStep;
    const isRun = 'run' in model;
    let resolved: ResolvedAction | undefined;
    const usesValue = isRun ? undefined : model.uses.value;
    if (usesValue !== undefined) resolved = resolveAction(usesValue, this.workspace, step.where);
    let contexts = this.stepContexts(runtime, resolved ? { action: step.id, action_path: resolved.kind === 'node' ? resolved.directory : '' } : { action: step.id });
    const nameToken = field(step.raw, 'name');
    const name = nameToken
      ? evaluateString(nameToken, { contexts, where: step.where })
      : isRun
        ? `Run ${oneLine(isString(model.run) ? model.run.value : isBasicExpression(model.run) ? (model.run.source ?? model.run.toDisplayString()) : '')}`
        : `Run ${model.uses.value}`;
    const apiStep = { name, status: 'queued' as const, conclusion: null, number: runtime.jobsApi.steps.length + 1, started_at: null, completed_at: null } as JobsApiJob['steps'][number];
    runtime.jobsApi.steps.push(apiStep);
    const started = Date.now();
    const record = (result: StepResult) => {
      runtime.results.push(result);
      runtime.steps[step.id] = { outputs: result.outputs, outcome: result.outcome, conclusion: result.conclusion };
      apiStep.status = 'completed';
      apiStep.conclusion = result.conclusion;
      apiStep.completed_at = new Date().toISOString();
      if (result.conclusion === 'failure') runtime.failed = true;
      this.reporter.stepEnd(name, result.outcome, result.conclusion, result.durationMs, result.error ?? '', depth);
    };

    if (Date.now() > runtime.deadline && !runtime.cancelled) {
      runtime.cancelled = true;
      this.reporter.annotation('error', `The job exceeded its timeout-minutes; remaining steps run only if: always() or cancelled().`, depth);
    }
    const status = this.stepStatus(runtime);
    const condition = model.if.expression;
    const ifToken = field(step.raw, 'if');
    if (!evaluateCondition(condition, { contexts, status, workspace: this.workspace, where: locate(display, ifToken ?? step.raw) })) {
      record({ id: step.id, name, outcome: 'skipped', conclusion: 'skipped', outputs: {}, durationMs: 0, annotations: [], ...(usesValue ? { uses: usesValue } : {}) });
      return;
    }
    apiStep.status = 'in_progress';
    apiStep.started_at = new Date().toISOString();

    const stepEnv = evaluateStringMap(field(step.raw, 'env'), { contexts, where: step.where });
    contexts = { ...contexts, env: { ...(contexts.env as Record<string, Json>), ...stepEnv } };
    const timeoutToken = field(step.raw, 'timeout-minutes');
    const stepTimeoutMinutes = timeoutToken ? Number(evaluateString(timeoutToken, { contexts, where: step.where })) : Infinity;
    if (Number.isNaN(stepTimeoutMinutes) || stepTimeoutMinutes <= 0) throw new UserError(`${locate(display, timeoutToken)}: timeout-minutes must be a positive number`);
    const remaining = runtime.cancelled ? 5 * 60_000 : runtime.deadline - Date.now();
    const timeoutMs = Math.min(stepTimeoutMinutes * 60_000, Math.max(remaining, 1));
    const continueToken = field(step.raw, 'continue-on-error');
    const continueOnError = continueToken ? flag(continueToken, { contexts, where: step.where }) : false;

    const files = this.stepFiles(runtime);
    const env = { ...this.baseEnv(runtime, files), ...stepEnv };
    let command: string;
    let args: string[];
    let cwd = this.workspace;
    let inputs: Record<string, string> = {};
    let detail = '';
    if (isRun) {
      const script = evaluateString(model.run, { contexts, workspace: this.workspace, where: step.where });
      const defaults = this.runDefaults(runtime, contexts);
      const shellToken = field(step.raw, 'shell');
      const shell = shellToken ? evaluateString(shellToken, { contexts, where: step.where }) : defaults.shell;
      const workingDirectoryToken = field(step.raw, 'working-directory');
      const workingDirectory = workingDirectoryToken ? evaluateString(workingDirectoryToken, { contexts, where: step.where }) : defaults.workingDirectory;
      if (workingDirectory) cwd = resolve(this.workspace, workingDirectory);
      const scriptPath = join(runtime.temp, 'temp', `step-${runtime.counter}.sh`);
      writeFileSync(scriptPath, script);
      const [program = 'bash', ...rest] = shellCommand(shell, scriptPath, step.where);
      command = program;
      args = rest;
      env.GITHUB_ACTION = step.id;
    } else if (resolved?.kind === 'checkout') {
      this.reporter.stepStart(name, 'built in: the workspace is the checkout', depth);
      const withInputs = evaluateStringMap(field(step.raw, 'with'), { contexts, where: step.where });
      if (withInputs.repository && withInputs.repository.toLowerCase() !== this.repository.toLowerCase()) {
        throw new UserError(`${step.where}: actions/checkout of another repository (${withInputs.repository}) is not supported by the local runner.`);
      }
      this.reporter.stepOutput(`the workspace ${this.workspace} is the checkout; nothing to fetch locally`, 0, depth);
      record({ id: step.id, name, outcome: 'success', conclusion: 'success', outputs: {}, durationMs: Date.now() - started, annotations: [], uses: model.uses.value });
      return;
    } else if (resolved?.kind === 'composite') {
      inputs = this.actionInputs(resolved, step, contexts, depth);
      this.reporter.stepStart(name, `${resolved.label}, composite`, depth);
      const composite = await this.runComposite(runtime, resolved, inputs, stepEnv, timeoutMs, depth);
      record({
        id: step.id,
        name,
        outcome: composite.outcome,
        conclusion: composite.outcome === 'failure' && continueOnError ? 'success' : composite.outcome,
        outputs: composite.outputs,
        durationMs: Date.now() - started,
        annotations: composite.annotations,
        ...(composite.error ? { error: composite.error } : {}),
        uses: resolved.uses,
      });
      return;
    } else if (resolved?.kind === 'node') {
      detail = resolved.label;
      inputs = this.actionInputs(resolved, step, contexts, depth);
      Object.assign(env, inputEnv(inputs), {
        GITHUB_ACTION: step.id,
        GITHUB_ACTION_PATH: resolved.directory,
        GITHUB_ACTION_REPOSITORY: resolved.uses.startsWith('./') ? '' : (resolved.uses.split('@')[0] ?? '').split('/').slice(0, 2).join('/'),
        GITHUB_ACTION_REF: resolved.uses.includes('@') ? (resolved.uses.split('@')[1] ?? '') : '',
      });
      if (this.options.recordPrompts && /run-prompt$|^autostack run-prompt$/.test(resolved.label)) {
        [command, ...args] = [this.options.nodePath ?? process.execPath, join(packageRoot(), 'dist', 'cli', 'index.js'), 'run-prompt', '--record', '--print', 'outputs', ...recordFlags(inputs)];
        detail += ', recording';
      } else {
        [command, ...args] = [this.options.nodePath ?? process.execPath, resolved.main];
      }
    } else {
      throw new Error('unreachable: step is neither run nor uses');
    }
    this.reporter.stepStart(name, detail, depth);
    const outcome = await this.execute(runtime, command, args, { cwd, env, timeoutMs, depth });
    const { state, error: fileError, ...collected } = this.collectFiles(runtime, files);
    const outputs = outcome.recordedOutputs ? { ...collected.outputs, ...outcome.recordedOutputs } : collected.outputs;
    let error = outcome.error ?? fileError;
    if (!error && outcome.timedOut) error = `timed out after ${formatMinutes(timeoutMs)}`;
    const failed = Boolean(error);
    const stepOutcome: Conclusion = outcome.cancelled && this.cancelled ? 'cancelled' : failed ? 'failure' : 'success';
    if (outcome.timedOut && timeoutMs >= runtime.deadline - started - 50) runtime.cancelled = true;
    if (resolved?.kind === 'node' && resolved.post) {
      runtime.posts.push({ name: `Post ${name}`, action: resolved, inputs, state, env: stepEnv, id: step.id });
    }
    if (resolved?.kind === 'node' && /record-run$/.test(resolved.label) && outputs['run-id']) {
      const directory = resolve(this.workspace, inputs.directory || '.autostack/runs');
      scope.records.push({ runId: outputs['run-id'], path: join(directory, `${outputs['run-id']}.json`), job: `${scope.prefix}${runtime.plan.id}` });
    }
    record({
      id: step.id,
      name,
      outcome: stepOutcome,
      conclusion: stepOutcome === 'failure' && continueOnError ? 'success' : stepOutcome,
      outputs,
      durationMs: Date.now() - started,
      annotations: outcome.annotations,
      ...(error ? { error } : {}),
      ...(usesValue ? { uses: usesValue } : {}),
    });
  }

  private runDefaults(runtime: JobRuntime, contexts: Contexts): { shell: string; workingDirectory: string } {
    const read = (mapping: MappingToken | undefined) => {
      const defaults = mapping?.find('defaults');
      const run = defaults && isMapping(defaults) ? defaults.find('run') : undefined;
      if (!run || !isMapping(run)) return {};
      const shell = run.find('shell');
      const directory = run.find('working-directory');
      return {
        shell: shell ? evaluateString(shell, { contexts, where: runtime.plan.where }) : undefined,
        workingDirectory: directory ? evaluateString(directory, { contexts, where: runtime.plan.where }) : undefined,
      };
    };
    const workflowDefaults = read(runtime.scope.workflow.root);
    const jobDefaults = read(runtime.plan.raw);
    return {
      shell: jobDefaults.shell ?? workflowDefaults.shell ?? '',
      workingDirectory: jobDefaults.workingDirectory ?? workflowDefaults.workingDirectory ?? '',
    };
  }

  private actionInputs(action: { uses: string; manifest: ActionManifest }, step: StepPlan, contexts: Contexts, depth: number): Record<string, string> {
    const declared = action.manifest.inputs ?? {};
    const inputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(declared)) {
      if (spec?.default !== undefined && spec.default !== null) {
        const text = String(spec.default);
        inputs[name] = text.replace(/\$\{\{\s*([\s\S]+?)\s*\}\}/g, (_match, expression: string) =>
          stringify(evaluateExpression(expression, { contexts, where: `${action.uses} action.yml default of '${name}'` })),
        );
      }
    }
    const withToken = field(step.raw, 'with');
    const given = evaluateStringMap(withToken, { contexts, workspace: this.workspace, where: step.where });
    const unexpected = Object.keys(given).filter((name) => !(name in declared));
    if (unexpected.length > 0) {
      this.reporter.annotation('warning', `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(declared).join("', '")}'] (${step.where})`, depth);
    }
    return { ...inputs, ...given };
  }

  /**
   * A composite action: its steps run in order with the `inputs` context of the action, their own
   * `steps` context, `if:` with status functions (scoped to the action), and the action's
   * `outputs.*.value` evaluated at the end. Node actions inside register their post steps on the job.
   */
  private async runComposite(
    runtime: JobRuntime,
    action: Extract<ResolvedAction, { kind: 'composite' }>,
    inputs: Record<string, string>,
    parentEnv: Record<string, string>,
    timeoutMs: number,
    depth: number,
  ): Promise<{ outcome: Conclusion; outputs: Record<string, string>; error?: string; annotations: StepResult['annotations'] }> {
    const deadline = Date.now() + timeoutMs;
    const steps: Record<string, { outputs: Record<string, string>; outcome: Conclusion; conclusion: Conclusion }> = {};
    const annotations: StepResult['annotations'] = [];
    let failed = false;
    let error: string | undefined;
    const scopeFor = (where: string, extra: Record<string, Json> = {}): EvaluationScope => {
      const base = this.stepContexts(runtime, { action_path: action.directory });
      return {
        contexts: { ...base, ...extra, inputs, steps: Object.fromEntries(Object.entries(steps).map(([id, entry]) => [id, { outputs: entry.outputs, outcome: entry.outcome, conclusion: entry.conclusion }])), env: { ...(base.env as Record<string, Json>), ...parentEnv } },
        status: { success: !failed, failure: failed, cancelled: this.cancelled || runtime.cancelled },
        workspace: this.workspace,
        where,
      };
    };
    const text = (value: unknown, where: string) => interpolate(typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value), scopeFor(where));
    for (const [index, raw] of action.steps.entries()) {
      const where = `${action.uses} (action.yml runs.steps[${index}])`;
      const id = raw.id ?? `__${index}`;
      const label = raw.name ? text(raw.name, where) : raw.run !== undefined ? `Run ${oneLine(raw.run)}` : `Run ${raw.uses ?? ''}`;
      const condition = ensureStatusFunction(typeof raw.if === 'string' ? raw.if.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1').trim() || 'success()' : raw.if === false ? 'false' : 'success()', undefined);
      if (!evaluateCondition(condition, scopeFor(where))) {
        steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        this.reporter.stepOutput(`- ${label} (skipped)`, 0, depth);
        continue;
      }
      const env: Record<string, string> = { ...parentEnv };
      for (const [key, value] of Object.entries(raw.env ?? {})) env[key] = text(value, where);
      const files = this.stepFiles(runtime);
      const processEnv: Record<string, string> = { ...this.baseEnv(runtime, files), ...env, GITHUB_ACTION_PATH: action.directory, GITHUB_ACTION: id };
      let command: string;
      let args: string[];
      let cwd = this.workspace;
      let nested: Extract<ResolvedAction, { kind: 'node' }> | undefined;
      let nestedInputs: Record<string, string> = {};
      if (raw.run !== undefined) {
        const scriptPath = join(runtime.temp, 'temp', `step-${runtime.counter}.sh`);
        writeFileSync(scriptPath, text(raw.run, where));
        const [program = 'bash', ...rest] = shellCommand(raw.shell ?? 'bash', scriptPath, where);
        command = program;
        args = rest;
        if (raw['working-directory']) cwd = resolve(this.workspace, text(raw['working-directory'], where));
      } else {
        const resolvedNested = resolveAction(raw.uses ?? '', this.workspace, where);
        if (resolvedNested.kind !== 'node') throw new UserError(`${where}: uses: ${raw.uses} — only node actions can be used inside a composite action locally.`);
        nested = resolvedNested;
        const declared = nested.manifest.inputs ?? {};
        for (const [inputName, spec] of Object.entries(declared)) {
          if (spec?.default !== undefined && spec.default !== null) nestedInputs[inputName] = text(String(spec.default), where);
        }
        for (const [inputName, value] of Object.entries(raw.with ?? {})) nestedInputs[inputName] = text(value, where);
        Object.assign(processEnv, inputEnv(nestedInputs), { GITHUB_ACTION_PATH: nested.directory });
        command = this.options.nodePath ?? process.execPath;
        args = [nested.main];
      }
      this.reporter.stepOutput(`▸ ${label}`, 0, depth);
      const outcome = await this.execute(runtime, command, args, { cwd, env: processEnv, timeoutMs: Math.max(1, deadline - Date.now()), depth });
      annotations.push(...outcome.annotations);
      const collected = this.collectFiles(runtime, files);
      let stepError = outcome.error ?? collected.error ?? (outcome.timedOut ? 'timed out' : undefined);
      if (nested?.post && !stepError) runtime.posts.push({ name: `Post ${label}`, action: nested, inputs: nestedInputs, state: collected.state, env, id });
      const stepOutcome: Conclusion = stepError ? 'failure' : 'success';
      const tolerated = raw['continue-on-error'] === true || (typeof raw['continue-on-error'] === 'string' && text(raw['continue-on-error'], where) === 'true');
      steps[id] = { outputs: collected.outputs, outcome: stepOutcome, conclusion: stepOutcome === 'failure' && tolerated ? 'success' : stepOutcome };
      this.reporter.stepOutput(`${stepOutcome === 'success' ? '✓' : '✗'} ${label}${stepError ? ` (${stepError}${tolerated ? ', continue-on-error' : ''})` : ''}`, 0, depth);
      if (stepError && !tolerated) {
        failed = true;
        error ??= `${label}: ${stepError}`;
      }
      stepError = undefined;
    }
    const outputs: Record<string, string> = {};
    for (const [outputName, spec] of Object.entries(action.manifest.outputs ?? {})) {
      outputs[outputName] = spec?.value !== undefined ? text(spec.value, `${action.uses} (action.yml outputs.${outputName})`) : '';
    }
    return { outcome: this.cancelled ? 'cancelled' : failed ? 'failure' : 'success', outputs, annotations, ...(error ? { error } : {}) };
  }

  /** Reads a step's environment files back: outputs, GITHUB_ENV exports, GITHUB_PATH, state, summary. */
  private collectFiles(runtime: JobRuntime, files: ReturnType<WorkflowRunner['stepFiles']>): { outputs: Record<string, string>; state: Record<string, string>; error?: string } {
    const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    if (summary.trim()) runtime.summaries.push(summary);
    // A bad file fails the step; what parsed before it is still kept for the step's result.
    const collected: { outputs: Record<string, string>; state: Record<string, string>; error?: string } = { outputs: {}, state: {} };
    try {
      collected.outputs = parseEnvFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
      Object.assign(runtime.exported, parseEnvFile(readFileSync(files.GITHUB_ENV, 'utf8')));
      collected.state = parseEnvFile(readFileSync(files.GITHUB_STATE, 'utf8'));
      runtime.pathAdditions.push(...readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean));
    } catch (error) {
      collected.error = `invalid environment file: ${(error as Error).message}`;
    }
    return collected;
  }

  /** Post steps run once, last registered first, whatever happened to the job. */
  private async runPosts(runtime: JobRuntime): Promise<void> {
    const posts = runtime.posts.splice(0).reverse();
    for (const post of posts) await this.runPost(runtime, post);
  }

  private async runPost(runtime: JobRuntime, post: JobRuntime['posts'][number]): Promise<void> {
    const depth = runtime.scope.depth;
    const contexts = this.stepContexts(runtime, { action: post.id, action_path: post.action.directory });
    const apiStep = { name: post.name, status: 'in_progress' as const, conclusion: null, number: runtime.jobsApi.steps.length + 1, started_at: new Date().toISOString(), completed_at: null } as JobsApiJob['steps'][number];
    const condition = post.action.postIf.replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
    if (!evaluateCondition(condition, { contexts, status: this.stepStatus(runtime), where: post.action.directory })) {
      this.reporter.stepEnd(post.name, 'skipped', 'skipped', 0, `post-if: ${condition}`, depth);
      return;
    }
    runtime.jobsApi.steps.push(apiStep);
    const started = Date.now();
    const files = this.stepFiles(runtime);
    const env = {
      ...this.baseEnv(runtime, files),
      ...post.env,
      ...inputEnv(post.inputs),
      ...Object.fromEntries(Object.entries(post.state).map(([key, value]) => [`STATE_${key}`, value])),
      GITHUB_ACTION: post.id,
      GITHUB_ACTION_PATH: post.action.directory,
    };
    this.reporter.stepStart(post.name, post.action.label, depth);
    const post_ = post.action.post ?? '';
    const outcome = await this.execute(runtime, this.options.nodePath ?? process.execPath, [post_], { cwd: this.workspace, env, timeoutMs: 5 * 60_000, depth });
    const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    if (summary.trim()) runtime.summaries.push(summary);
    const error = outcome.error ?? (outcome.timedOut ? 'timed out' : undefined);
    const result: Conclusion = error ? 'failure' : 'success';
    if (result === 'failure') runtime.failed = true;
    apiStep.status = 'completed';
    apiStep.conclusion = result;
    apiStep.completed_at = new Date().toISOString();
    runtime.results.push({ id: `post-${post.id}`, name: post.name, outcome: result, conclusion: result, outputs: {}, durationMs: Date.now() - started, annotations: outcome.annotations, ...(error ? { error } : {}) });
    this.reporter.stepEnd(post.name, result, result, Date.now() - started, error ?? '', depth);
  }

  /** Runs one process, turning workflow commands in its output into masks, groups and annotations. */
  private async execute(
    runtime: JobRuntime,
    command: string,
    args: string[],
    options: { cwd: string; env: Record<string, string>; timeoutMs: number; depth: number },
  ): Promise<{ error?: string; timedOut: boolean; cancelled: boolean; annotations: StepResult['annotations']; recordedOutputs?: Record<string, string> }> {
    const annotations: StepResult['annotations'] = [];
    let indent = 0;
    let stopToken: string | undefined;
    const recording = args.includes('--record') && args.includes('outputs');
    let stdoutJson = '';
    const onLine = (line: string, stream: 'stdout' | 'stderr') => {
      if (recording && stream === 'stdout') {
        stdoutJson += `${line}\n`;
        return;
      }
      if (stopToken !== undefined) {
        if (line === `::${stopToken}::`) stopToken = undefined;
        else this.reporter.stepOutput(line, indent, options.depth);
        return;
      }
      const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
      if (!command) {
        this.reporter.stepOutput(line, indent, options.depth);
        return;
      }
      const [, name = '', , rawMessage = ''] = command;
      const message = rawMessage.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
      switch (name) {
        case 'add-mask':
          registerSecret(message);
          return;
        case 'group':
          this.reporter.stepOutput(`▾ ${message}`, indent, options.depth);
          indent++;
          return;
        case 'endgroup':
          indent = Math.max(0, indent - 1);
          return;
        case 'debug':
          if (this.options.verbose) this.reporter.stepOutput(`debug: ${message}`, indent, options.depth);
          return;
        case 'error':
        case 'warning':
        case 'notice':
          annotations.push({ kind: name, message: redact(message) });
          this.reporter.annotation(name, message, options.depth);
          return;
        case 'stop-commands':
          stopToken = message;
          return;
        default:
          this.reporter.stepOutput(line, indent, options.depth);
      }
    };
    const running = runProcess(command, args, { cwd: options.cwd, env: options.env, timeoutMs: options.timeoutMs, onLine });
    this.running.add(running);
    const outcome = await running.done;
    this.running.delete(running);
    let recordedOutputs: Record<string, string> | undefined;
    if (recording && outcome.exitCode === 0) {
      try {
        recordedOutputs = JSON.parse(stdoutJson) as Record<string, string>;
      } catch {
        // fall through: no outputs
      }
    }
    let error: string | undefined;
    if (outcome.spawnError) error = `could not start ${command}: ${outcome.spawnError}`;
    else if (outcome.cancelled) error = 'cancelled';
    else if (outcome.timedOut) error = undefined;
    else if (outcome.exitCode !== 0) error = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode}`;
    return { ...(error ? { error } : {}), timedOut: outcome.timedOut, cancelled: outcome.cancelled, annotations, ...(recordedOutputs ? { recordedOutputs } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Results

  private readRecords(): RecordSummary[] {
    const summaries: RecordSummary[] = [];
    for (const run of this.runs) {
      for (const ref of run.records) {
        if (!existsSync(ref.path)) continue;
        try {
          const record = recordStepCounts.parse(JSON.parse(readFileSync(ref.path, 'utf8')));
          summaries.push({
            runId: ref.runId,
            path: ref.path,
            name: record.name,
            status: record.status,
            // GitHub's view of the job (every step, run: steps included) when record-run could read it.
            steps: record.jobSteps?.length ?? record.steps?.length ?? 0,
            costUsd: record.totals.costUsd,
            job: ref.job,
            workflow: run.file,
          });
        } catch {
          // a record that cannot be read is listed by `autostack runs list` as unreadable
        }
      }
    }
    return summaries;
  }

  private printSummary(result: SessionResult): void {
    const r = this.reporter;
    r.line();
    r.line('Workflow runs');
    for (const run of result.runs) {
      r.line(`  ${run.conclusion.padEnd(9)} ${run.workflow} (${run.file}) on ${run.event}${run.action ? `.${run.action}` : ''}${run.triggeredBy ? ` ← ${run.triggeredBy}` : ''}`);
    }
    const unserved = result.github.filter((entry) => entry.status === 404 || entry.status === 401);
    const writes = result.github.filter((entry) => entry.status < 300 && entry.method !== 'GET');
    if (writes.length > 0 || unserved.length > 0) {
      r.line();
      r.line(`GitHub API (local, ${this.repository})`);
      for (const entry of [...writes, ...unserved]) r.line(`  ${entry.method} ${entry.path} → ${entry.status}: ${entry.summary}${entry.from ? ` (job ${entry.from.job})` : ''}`);
    }
    r.line();
    if (result.records.length === 0) {
      r.line('Run records: none (add OWNER/autostack/actions/record-run@v1 as a job\'s first step)');
    } else {
      r.line('Run records');
      for (const record of result.records) {
        r.line(`  ${record.status.padEnd(9)} ${record.runId}  ${record.name}  ${record.steps} steps, $${record.costUsd.toFixed(4)}  ${record.path.replace(`${this.workspace}/`, '')}`);
      }
      const directories = [...new Set(result.records.map((record) => dirname(record.path).replace(`${this.workspace}/`, '')))];
      r.line(`  list them: npx autostack runs list --directory ${directories[0]}`);
    }
    r.line();
    r.line(`Result: ${result.conclusion}`);
  }
}

/** A run record read back for the session summary: the shape `runs list` checks, plus the step lists. */
const recordStepCounts = storedRecordSchema.extend({ steps: z.array(z.unknown()).optional(), jobSteps: z.array(z.unknown()).nullish() });

const MAX_MATRIX_COMBINATIONS = 256;

/**
 * GitHub's matrix rules: the cross product of the list-valued keys, minus every combination an
 * `exclude` entry matches, then each `include` entry is merged into every combination whose
 * original values it does not change, or added as a combination of its own when it fits none.
 */
export function expandMatrix(matrix: Json, where: string): Array<Record<string, Json>> {
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix)) throw new UserError(`${where}: strategy.matrix must be a mapping of lists`);
  const { include, exclude, ...axes } = matrix;
  const asEntries = (value: Json | undefined, key: string): Array<Record<string, Json>> => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((entry) => !entry || typeof entry !== 'object' || Array.isArray(entry))) throw new UserError(`${where}: strategy.matrix.${key} must be a list of mappings`);
    return value as Array<Record<string, Json>>;
  };
  let combinations: Array<Record<string, Json>> = Object.keys(axes).length > 0 ? [{}] : [];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new UserError(`${where}: strategy.matrix.${key} must be a list (got ${stringify(values as Json)})`);
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
  for (const rule of asEntries(exclude, 'exclude')) {
    combinations = combinations.filter((combination) => !Object.entries(rule).every(([key, value]) => same(combination[key], value)));
  }
  const originals = combinations.map((combination) => ({ ...combination }));
  for (const extra of asEntries(include, 'include')) {
    let merged = false;
    combinations.forEach((combination, index) => {
      const original = originals[index] ?? {};
      if (Object.entries(extra).every(([key, value]) => !(key in original) || same(original[key], value))) {
        Object.assign(combination, extra);
        merged = true;
      }
    });
    if (!merged) combinations.push({ ...extra });
  }
  if (combinations.length === 0) throw new UserError(`${where}: strategy.matrix expands to no combinations`);
  if (combinations.length > MAX_MATRIX_COMBINATIONS) throw new UserError(`${where}: strategy.matrix expands to ${combinations.length} combinations; GitHub allows ${MAX_MATRIX_COMBINATIONS}`);
  return combinations;
}

/** A boolean field that may be an expression (continue-on-error). */
function flag(token: TemplateToken, scope: { contexts: Contexts; where: string }): boolean {
  if (isBasicExpression(token)) return evaluateCondition(token.expression, scope);
  if (isBoolean(token)) return token.value;
  return stringify(evaluateToken(token, scope)) === 'true';
}

/** With no --payload: what GitHub would at least put in the event (schedule: the cron that fired). */
function defaultPayload(workflow: LoadedWorkflow, eventName: string): Json {
  if (eventName === 'schedule') {
    const cron = workflow.template.events?.schedule?.[0]?.cron;
    return cron ? { schedule: cron } : {};
  }
  return {};
}

/** Settings that exist but mean nothing on one machine: said once per workflow, not silently ignored. */
function localNotes(workflow: LoadedWorkflow): string[] {
  const notes: string[] = [];
  const where = (token: TemplateToken | undefined) => locate(workflow.display, token);
  const concurrency = field(workflow.root, 'concurrency');
  if (concurrency) notes.push(`${where(concurrency)}: concurrency has no effect locally (runs are sequential)`);
  for (const plan of workflow.jobs) {
    const jobConcurrency = field(plan.raw, 'concurrency');
    if (jobConcurrency) notes.push(`${where(jobConcurrency)}: job '${plan.id}' concurrency has no effect locally (runs are sequential)`);
    const environment = field(plan.raw, 'environment');
    if (environment) notes.push(`${where(environment)}: job '${plan.id}' environment: its protection rules and environment secrets do not apply locally (pass secrets with --secret)`);
  }
  return notes;
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(2)} minutes` : `${+(ms / 1000).toFixed(1)} s (timeout-minutes)`;
}

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
}

function recordFlags(inputs: Record<string, string>): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    if (value === '' || name === 'cache' || name === 'provider') continue;
    flags.push(`--${name}`, value);
  }
  return flags;
}

/** The runner's shells: bash/sh/python/node by name, or a custom template with {0}. */
function shellCommand(shell: string, script: string, where: string): string[] {
  switch (shell) {
    case '':
      return ['bash', '-e', script];
    case 'bash':
      return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script];
    case 'sh':
      return ['sh', '-e', script];
    case 'python':
      return ['python3', script];
    case 'node':
      return [process.execPath, script];
    default:
      if (shell.includes('{0}')) return shell.split(/\s+/).map((part) => part.replace('{0}', script));
      throw new UserError(`${where}: shell '${shell}' is not supported by the local runner (bash, sh, python, node, or a command with {0}).`);
  }
}

function coerceInput(name: string, type: string, value: Json, spec: MappingToken | undefined, where: string): Json {
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new UserError(`${where}: input '${name}' is a boolean; got '${stringify(value)}' (use true or false).`);
  }
  if (type === 'number') {
    const number = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || value === '' || !Number.isFinite(number)) throw new UserError(`${where}: input '${name}' is a number; got '${stringify(value)}'.`);
    return number;
  }
  if (type === 'choice') {
    const optionsToken = spec?.find('options');
    const options = optionsToken ? (evaluateToken(optionsToken, { contexts: {}, where }) as Json[]).map((option) => stringify(option)) : [];
    if (!options.includes(stringify(value))) throw new UserError(`${where}: input '${name}' must be one of ${options.join(', ')}; got '${stringify(value)}'.`);
    return stringify(value);
  }
  return stringify(value);
}

/** Jobs in an order that respects needs (the parser has already rejected cycles and unknown needs). */
function topologicalOrder(jobs: JobPlan[]): JobPlan[] {
  const ids = new Set(jobs.map((job) => job.id));
  const done = new Set<string>();
  const order: JobPlan[] = [];
  while (order.length < jobs.length) {
    const ready = jobs.filter((job) => !done.has(job.id) && job.needs.every((need) => done.has(need) || !ids.has(need)));
    if (ready.length === 0) throw new UserError('the jobs\' needs form a cycle');
    for (const job of ready) {
      done.add(job.id);
      order.push(job);
    }
  }
  return order;
}
