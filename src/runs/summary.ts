import type { RunRecord } from './record.js';

const STATUS_MARK: Record<string, string> = {
  success: '✅',
  failure: '❌',
  cancelled: '⚪',
  skipped: '⏭️',
  interrupted: '⚠️',
  running: '⏳',
};

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatUsd(value: number): string {
  return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** Table cells must not break the table: pipes escaped, newlines folded, long text cut. */
function cell(text: string | undefined, max = 120): string {
  if (!text) return '';
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The job summary: status first, then where time and money went, then what broke. */
export function renderSummary(record: RunRecord, artifactNote?: string): string {
  const lines: string[] = [];
  const mark = STATUS_MARK[record.status] ?? '';
  lines.push(`### ${mark} autostack run \`${cell(record.name)}\`: ${record.status}`, '');
  lines.push(
    `Run \`${record.runId}\` · ${formatDuration(record.durationMs)} · ${formatUsd(record.totals.costUsd)}` +
      ` · ${record.totals.inputTokens} in / ${record.totals.outputTokens} out tokens` +
      ` · ${record.totals.modelCalls} model calls · ${record.totals.eventsPublished} events`,
    '',
  );
  if (record.steps.length > 0) {
    lines.push('| Step | Action | Status | Duration | Output | Error |', '| --- | --- | --- | --- | --- | --- |');
    for (const step of record.steps) {
      lines.push(
        `| ${cell(step.name)} | ${cell(step.action)} | ${STATUS_MARK[step.status] ?? ''} ${step.status} | ${formatDuration(step.durationMs)} | ${cell(step.outputSummary)} | ${cell(step.error)} |`,
      );
    }
    lines.push('');
  }
  if (record.jobSteps && record.jobSteps.length > 0) {
    lines.push('<details><summary>All steps of the job (GitHub)</summary>', '');
    lines.push('| # | Step | Conclusion | Duration |', '| --- | --- | --- | --- |');
    for (const step of record.jobSteps) {
      lines.push(
        `| ${step.number} | ${cell(step.name)} | ${step.conclusion ?? step.status} | ${formatDuration(step.durationMs)} |`,
      );
    }
    lines.push('', '</details>', '');
  }
  if (record.systemsTouched.length > 0) {
    lines.push(
      `**Systems touched:** ${record.systemsTouched.map((system) => `${system.system} \`${cell(system.target, 60)}\` (${system.count})`).join(', ')}`,
      '',
    );
  }
  if (record.errors.length > 0) {
    lines.push('**Errors**', '');
    for (const error of record.errors)
      lines.push(`- ${error.step ? `\`${cell(error.step, 60)}\`: ` : ''}${cell(error.message, 500)}`);
    lines.push('');
  }
  if (record.journal.corruptLines.length > 0) {
    lines.push(
      `⚠️ ${record.journal.corruptLines.length} journal line(s) could not be read and are kept in the record under \`journal.corruptLines\` (lines ${record.journal.corruptLines.map((line) => line.line).join(', ')}).`,
      '',
    );
  }
  if (artifactNote) lines.push(artifactNote, '');
  return lines.join('\n');
}
