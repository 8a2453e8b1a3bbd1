import { formatDuration, formatUsd } from '../runs/summary.js';
import type { Aggregates } from './aggregate.js';

const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').slice(0, 160);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The same figures as the HTML report, as a job-summary digest. */
export function renderDashboardMarkdown(data: Aggregates, title = 'autostack runs'): string {
  const errorRate = data.runs > 0 ? data.failures / data.runs : 0;
  const busiest = data.perHour.reduce((best, hour) => (hour.runs > best.runs ? hour : best), {
    hour: '',
    runs: 0,
    failures: 0,
  });
  const lines = [
    `## ${cell(title)}`,
    '',
    `**${data.runs.toLocaleString('en-US')} runs**${data.firstAt ? ` (${data.firstAt.slice(0, 10)} → ${(data.lastAt ?? '').slice(0, 10)})` : ''} · error rate **${pct(errorRate)}** · p50 ${formatDuration(data.p50Ms)} · p95 ${formatDuration(data.p95Ms)} · cost **${formatUsd(data.costUsd)}** · tokens ${data.inputTokens.toLocaleString('en-US')} in / ${data.outputTokens.toLocaleString('en-US')} out · **${data.humanRuns}** needed a human`,
    '',
    `Busiest hour in the last ${data.perHour.length} h: ${busiest.runs > 0 ? `${busiest.hour}:00 UTC, ${busiest.runs} runs (${busiest.failures} failed)` : 'none'}.`,
    '',
    '| Automation | Runs | Error rate | p50 | p95 | Cost | Tokens in / out | Needed a human |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...data.automations.map(
      (a) =>
        `| ${cell(a.name)} | ${a.runs} | ${pct(a.errorRate)} | ${formatDuration(a.p50Ms)} | ${formatDuration(a.p95Ms)} | ${formatUsd(a.costUsd)} | ${a.inputTokens} / ${a.outputTokens} | ${a.humanRuns} |`,
    ),
  ];
  if (data.models.length > 0) {
    lines.push('', '| Model | Calls | Cost | Input tokens | Output tokens |', '| --- | ---: | ---: | ---: | ---: |');
    for (const m of data.models)
      lines.push(`| ${cell(m.model)} | ${m.calls} | ${formatUsd(m.costUsd)} | ${m.inputTokens} | ${m.outputTokens} |`);
  }
  if (data.recentFailures.length > 0) {
    lines.push(
      '',
      '### Recent failures',
      '',
      '| Started (UTC) | Automation | Run | Error |',
      '| --- | --- | --- | --- |',
    );
    for (const run of data.recentFailures.slice(0, 10)) {
      const id = run.url && /^https?:\/\//.test(run.url) ? `[${cell(run.runId)}](${run.url})` : cell(run.runId);
      lines.push(
        `| ${run.startedAt.replace('T', ' ').slice(0, 16)} | ${cell(run.name)} | ${id} | ${cell(run.error ?? run.status)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
