import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { listLocalRecords } from '../runs/store.js';
import { recordFiles } from '../history/store.js';
import { readStoredRun } from '../history/records.js';
import { formatDuration, formatUsd } from '../runs/summary.js';

export function listRuns(directories: string | string[], options: { json?: boolean | undefined; limit?: number | undefined }): string {
  const all = (Array.isArray(directories) ? directories : [directories]).map((directory) => listLocalRecords(directory));
  const records = all.flatMap((listed) => listed.records).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const unreadable = all.flatMap((listed) => listed.unreadable);
  const directory = Array.isArray(directories) ? directories.join(' or ') : directories;
  const shown = records.slice(0, options.limit ?? 20);
  if (options.json) return `${JSON.stringify(shown, null, 2)}\n`;
  if (records.length === 0) return `No run records in ${directory}.\n`;
  const rows = shown.map((record) => [record.runId, record.status, record.name, record.startedAt, formatDuration(record.durationMs), formatUsd(record.costUsd)]);
  const header = ['RUN ID', 'STATUS', 'NAME', 'STARTED', 'DURATION', 'COST'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) => row.map((value, column) => value.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const lines = [format(header), ...rows.map(format)];
  if (records.length > shown.length) lines.push(`… ${records.length - shown.length} more (use --limit)`);
  for (const path of unreadable) lines.push(`unreadable: ${path}`);
  return `${lines.join('\n')}\n`;
}

export function showRun(directory: string, runId: string, historyDir?: string): string {
  try {
    return readFileSync(join(directory, `${runId}.json`), 'utf8');
  } catch {
    // Synced records are named after repository and run id: find it by its runId field.
    const found = historyDir ? recordFiles([historyDir]).find((file) => readStoredRun(file)?.runId === runId) : undefined;
    if (found) return readFileSync(found, 'utf8');
    throw new UserError(`No run record '${runId}' in ${directory}${historyDir ? ` or ${historyDir}` : ''} (see \`autostack runs list\`).`);
  }
}
