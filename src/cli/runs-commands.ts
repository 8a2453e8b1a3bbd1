import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { listLocalRecords, recordProblem } from '../runs/store.js';
import { formatDuration, formatUsd } from '../runs/summary.js';

export function listRuns(directory: string, options: { json?: boolean | undefined; limit?: number | undefined }): string {
  const { records, unreadable } = listLocalRecords(directory);
  const shown = records.slice(0, options.limit ?? 20);
  if (options.json) return `${JSON.stringify(shown, null, 2)}\n`;
  if (records.length === 0 && unreadable.length === 0) return `No run records in ${directory}.\n`;
  const rows = shown.map((record) => [record.runId, record.status, record.name, record.startedAt, formatDuration(record.durationMs), formatUsd(record.costUsd)]);
  const header = ['RUN ID', 'STATUS', 'NAME', 'STARTED', 'DURATION', 'COST'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) => row.map((value, column) => value.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const lines = [format(header), ...rows.map(format)];
  if (records.length > shown.length) lines.push(`… ${records.length - shown.length} more (use --limit)`);
  for (const path of unreadable) lines.push(`corrupt: ${path} (see \`autostack runs show\` for why)`);
  return `${lines.join('\n')}\n`;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function showRun(directory: string, runId: string): string {
  // A run id is a file name, never a path: `runs show ../../etc/passwd` must not read it.
  if (!RUN_ID.test(runId)) throw new UserError(`Argument '<run-id>' must be a run id such as 20261202T140025Z-1a2b3c4d5e6f (letters, digits, . _ -); got ${JSON.stringify(runId.slice(0, 60))}.`);
  const path = join(directory, `${runId}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`No run record '${runId}' in ${directory} (see \`autostack runs list\`).`);
  }
  const problem = recordProblem(text);
  if (problem) throw new UserError(`Run record ${path} is corrupt: ${problem}. It is kept as it is; the run's artifact (autostack-run-${runId}) may hold a good copy.`);
  return text;
}
