import { UserError } from '../shared/errors.js';
import { formatDuration, formatUsd } from '../runs/summary.js';
import { interventionsOf, promptVersions, readStoredRun, runUrl, type StoredRun } from './records.js';

/** The small part of every run that chains need: who started whom. */
interface ChainLink {
  runId: string;
  name: string;
  status: string;
  parentRunId?: string | undefined;
  eventType?: string | undefined;
}

/**
 * `runs why RUN_ID`: the failing step, its error, the inputs fingerprint and prompt version,
 * the human interventions, and the chain of runs around it — the parent event and run (up to
 * the first run of the chain) and the runs it started, following emit-event dispatches.
 */
export function explainRun(files: string[], runId: string): string {
  const { links, target } = readLinks(files, runId);
  if (!target)
    throw new UserError(
      `No run record '${runId}' in the history (run \`autostack runs sync\`, or see \`autostack runs list\`).`,
    );
  const lines = describeRun(target);
  lines.push('', 'Chain:');
  lines.push(...describeChain(links, target.runId));
  return `${lines.join('\n')}\n`;
}

/** Every readable run's chain link, and the run asked for (by autostack or GitHub run id). */
function readLinks(files: string[], runId: string): { links: Map<string, ChainLink>; target: StoredRun | undefined } {
  const links = new Map<string, ChainLink>();
  let target: StoredRun | undefined;
  for (const file of files) {
    const run = readStoredRun(file);
    if (!run) continue;
    const trigger = run.trigger ?? {};
    links.set(run.runId, {
      runId: run.runId,
      name: run.name,
      status: run.status,
      parentRunId: typeof trigger.parentRunId === 'string' ? trigger.parentRunId : undefined,
      eventType: typeof trigger.eventType === 'string' ? trigger.eventType : undefined,
    });
    if (run.runId === runId || String(run.workflowRun?.id ?? run.github?.runId ?? '') === runId) target = run;
  }
  return { links, target };
}

/** The run itself: outcome, failing steps and errors, prompt version, human interventions. */
function describeRun(target: StoredRun): string[] {
  const lines: string[] = [
    `Run ${target.runId} (${target.name}): ${target.status}, ${formatDuration(target.durationMs)}, ${formatUsd(target.totals?.costUsd ?? 0)}`,
  ];
  const url = runUrl(target);
  if (url) lines.push(`  on GitHub: ${url}`);
  const failing = (target.steps ?? []).filter(
    (step) => step.status === 'failure' || step.status === 'interrupted' || step.status === 'cancelled',
  );
  if (failing.length === 0 && target.status !== 'success')
    lines.push('  No step of ours failed; GitHub reported the job as failed (a plain run: step?).');
  for (const step of failing) {
    lines.push(`  Failing step: ${step.name} (${step.id}${step.action ? `, ${step.action}` : ''}) — ${step.status}`);
    if (step.error) lines.push(`    error: ${step.error}`);
    if (step.inputFingerprint) lines.push(`    inputs fingerprint: ${step.inputFingerprint}`);
  }
  for (const error of (target.errors ?? []).filter(
    (entry) => !failing.some((step) => step.id === entry.step && step.error === entry.message),
  )) {
    lines.push(`  Error${error.step ? ` in ${error.step}` : ''}: ${error.message}`);
  }
  const versions = promptVersions(target);
  if (versions.length > 0) lines.push(`  Prompt version: ${versions.join(', ')}`);
  const interventions = interventionsOf(target);
  lines.push(
    interventions.length > 0 ? `  Human intervention: ${interventions.join('; ')}` : '  Human intervention: none',
  );
  return lines;
}

/** The ancestors down to the run (marked ▶), then the runs it started, depth-first. */
function describeChain(links: Map<string, ChainLink>, targetRunId: string): string[] {
  const lines: string[] = [];
  const ancestors: ChainLink[] = [];
  const seen = new Set<string>([targetRunId]);
  for (let link = links.get(targetRunId); link?.parentRunId && !seen.has(link.parentRunId);) {
    seen.add(link.parentRunId);
    const parent = links.get(link.parentRunId) ?? {
      runId: link.parentRunId,
      name: '(not in history)',
      status: 'unknown',
    };
    ancestors.unshift({ ...parent, eventType: parent.eventType });
    link = links.get(link.parentRunId);
    if (!link) break;
  }
  const self = links.get(targetRunId) as ChainLink;
  const chain = [...ancestors, self];
  chain.forEach((link, depth) => {
    const via = depth > 0 ? ` ← event ${chain[depth]?.eventType ?? '?'} from ${chain[depth - 1]?.runId}` : '';
    lines.push(
      `${'  '.repeat(depth + 1)}${link.runId === targetRunId ? '▶ ' : ''}${link.runId} ${link.name} [${link.status}]${via}`,
    );
  });
  const children = (parent: string, depth: number, guard: Set<string>): void => {
    for (const link of links.values()) {
      if (link.parentRunId !== parent || guard.has(link.runId)) continue;
      guard.add(link.runId);
      lines.push(
        `${'  '.repeat(depth + 1)}→ ${link.runId} ${link.name} [${link.status}] via event ${link.eventType ?? '?'}`,
      );
      children(link.runId, depth + 1, guard);
    }
  };
  children(targetRunId, chain.length, new Set(seen));
  return lines;
}
