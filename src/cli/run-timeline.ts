import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { formatDuration, formatUsd } from '../runs/summary.js';
import { type Paint, statusColour } from './style.js';

/** What the timeline reads from a run record; a record is versioned and may hold more. */
const timelineRecord = z
  .object({
    runId: z.string(),
    name: z.string(),
    status: z.string(),
    startedAt: z.string(),
    durationMs: z.number(),
    steps: z
      .array(
        z
          .object({
            id: z.string(),
            name: z.string(),
            action: z.string().optional(),
            status: z.string(),
            durationMs: z.number().optional(),
            outputSummary: z.string().optional(),
            error: z.string().optional(),
          })
          .loose(),
      )
      .default([]),
    totals: z
      .object({
        modelCalls: z.number().default(0),
        inputTokens: z.number().default(0),
        outputTokens: z.number().default(0),
        costUsd: z.number().default(0),
        toolCalls: z.number().default(0),
        eventsPublished: z.number().default(0),
      })
      .loose(),
    errors: z.array(z.object({ step: z.string().optional(), message: z.string() })).default([]),
    events: z.array(z.object({ type: z.string(), step: z.string().optional() }).loose()).default([]),
  })
  .loose();

type TimelineEvent = z.infer<typeof timelineRecord>['events'][number];

const MARKS: Record<string, string> = {
  success: '✓',
  failure: '✗',
  cancelled: '⊘',
  skipped: '-',
  running: '…',
  interrupted: '!',
};

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The lines under a step: each model call and tool call journaled by it. */
function stepDetails(events: TimelineEvent[], paint: Paint): string[] {
  const lines: string[] = [];
  for (const event of events) {
    if (event.type === 'model.call') {
      const call = event as TimelineEvent & {
        model?: string;
        inputTokens?: number;
        outputTokens?: number;
        costUsd?: number;
        latencyMs?: number;
        cacheHit?: boolean;
      };
      const cached = call.cacheHit ? ', cache hit' : '';
      lines.push(
        `    model ${call.model ?? '?'}: ${call.inputTokens ?? 0} in / ${call.outputTokens ?? 0} out tokens, ${formatUsd(call.costUsd ?? 0)}, ${formatDuration(call.latencyMs)}${cached}`,
      );
    } else if (event.type === 'tool.call') {
      const call = event as TimelineEvent & { tool?: string; durationMs?: number; error?: string };
      const error = call.error ? paint('red', ` — ${oneLine(call.error)}`) : '';
      lines.push(`    tool ${call.tool ?? '?'} (${formatDuration(call.durationMs)})${error}`);
    } else if (event.type === 'log') {
      const log = event as TimelineEvent & { level?: string; message?: string };
      if (log.level === 'warning' || log.level === 'error')
        lines.push(paint(log.level === 'error' ? 'red' : 'yellow', `    ${log.level}: ${oneLine(log.message ?? '')}`));
    }
  }
  return lines;
}

/** `autostack runs show`: a run as a person reads it, one step a line with what it spent. */
export function formatTimeline(raw: unknown, paint: Paint): string {
  const parsed = timelineRecord.safeParse(raw);
  if (!parsed.success) throw new UserError('This file is not an autostack run record (print it with --json).');
  const record = parsed.data;
  const totals = record.totals;
  const lines = [
    `${paint('bold', record.name)}  ${record.runId}`,
    `${paint(statusColour(record.status), record.status)} · started ${record.startedAt} · ${formatDuration(record.durationMs)}`,
    '',
    paint('bold', 'Steps'),
  ];
  if (record.steps.length === 0) lines.push('  (no journaled steps)');
  const byStep = new Map<string, TimelineEvent[]>();
  for (const event of record.events) {
    if (event.step === undefined) continue;
    byStep.set(event.step, [...(byStep.get(event.step) ?? []), event]);
  }
  const nameWidth = Math.min(40, Math.max(0, ...record.steps.map((step) => step.name.length)));
  for (const step of record.steps) {
    const mark = paint(statusColour(step.status), MARKS[step.status] ?? '?');
    const action = step.action && step.action !== 'run' ? paint('grey', ` [${step.action}]`) : '';
    const summary = step.outputSummary ? paint('grey', `  ${oneLine(step.outputSummary, 80)}`) : '';
    lines.push(
      `  ${mark} ${step.name.padEnd(nameWidth)}  ${formatDuration(step.durationMs).padStart(9)}  ${step.status}${action}${summary}`,
    );
    if (step.error) lines.push(paint('red', `    error: ${oneLine(step.error)}`));
    lines.push(...stepDetails(byStep.get(step.id) ?? [], paint));
  }
  const stepErrors = new Set(record.steps.map((step) => step.error).filter(Boolean));
  const otherErrors = record.errors.filter((error) => !stepErrors.has(error.message));
  if (otherErrors.length > 0) {
    lines.push('', paint('bold', 'Errors'));
    for (const error of otherErrors)
      lines.push(paint('red', `  ${error.step ? `${error.step}: ` : ''}${oneLine(error.message)}`));
  }
  lines.push(
    '',
    paint('bold', 'Totals'),
    `  model calls ${totals.modelCalls} · tokens ${totals.inputTokens} in / ${totals.outputTokens} out · cost ${formatUsd(totals.costUsd)} · tool calls ${totals.toolCalls} · events published ${totals.eventsPublished}`,
  );
  return `${lines.join('\n')}\n`;
}
