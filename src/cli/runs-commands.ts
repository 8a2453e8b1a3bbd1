import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../shared/errors.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { listLocalRecords, recordProblem, type StoredRecordSummary } from '../runs/stored-records.js';
import { redact } from '../shared/redact.js';
import { DEFAULT_HISTORY_DIRECTORY, recordFiles, recordsDirectory } from '../history/store.js';
import { readStoredRun } from '../history/records.js';
import { formatDuration, formatUsd } from '../runs/summary.js';
import { colourEnabled, type Paint, painter, statusColour } from './style.js';
import { formatTimeline } from './run-timeline.js';

export const RUN_STATUSES = ['success', 'failure', 'cancelled'] as const;

export interface ListFilters {
  automation?: string | undefined;
  status?: (typeof RUN_STATUSES)[number] | undefined;
  /** Only runs started at or after this time. */
  since?: Date | undefined;
  /** 0 = all. Undefined = 20 for the table, all for --json. */
  limit?: number | undefined;
  json?: boolean | undefined;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 2h` / `7d` / `2026-01-31` / an ISO time. */
export function parseSince(value: string, now = Date.now()): Date {
  const relative = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (relative) return new Date(now - Number(relative[1]) * (UNITS[relative[2] ?? 'd'] ?? 0));
  const parsed = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim()) || Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError(
      'must be a duration like 30m, 12h, 7d, 2w or a date like 2026-01-31 (or an ISO time)',
    );
  }
  return parsed;
}

function wholeNumberOrZero(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number (0 for all)');
  return Number(value);
}

/** The records directory flag every runs command shares. */
export function addDirectoryFlag(command: Command): Command {
  return command.option('--directory <dir>', 'records directory', DEFAULT_RUNS_DIRECTORY);
}

export function filterRuns(records: StoredRecordSummary[], filters: ListFilters): StoredRecordSummary[] {
  return records.filter(
    (record) =>
      (filters.automation === undefined || record.name === filters.automation) &&
      (filters.status === undefined || record.status === filters.status) &&
      (filters.since === undefined || Date.parse(record.startedAt) >= filters.since.getTime()),
  );
}

export interface ListOutput {
  stdout: string;
  /** A note for stderr, e.g. that --limit cut the JSON list. */
  note?: string | undefined;
}

/** Lists the records of one or more folders (the local runs folder and the synced history), newest first. */
export function listRuns(
  directories: string | string[],
  filters: ListFilters,
  paint: Paint = painter(false),
): ListOutput {
  const listed = (Array.isArray(directories) ? directories : [directories]).map((directory) =>
    listLocalRecords(directory),
  );
  const all = listed.flatMap((one) => one.records).sort((x, y) => y.startedAt.localeCompare(x.startedAt));
  const unreadable = listed.flatMap((one) => one.unreadable);
  const directory = Array.isArray(directories) ? directories.join(' or ') : directories;
  const records = filterRuns(all, filters);
  const limit = filters.limit ?? (filters.json ? 0 : 20);
  const shown = limit === 0 ? records : records.slice(0, limit);
  const hidden = records.length - shown.length;
  if (filters.json) {
    // JSON goes to programs: the array is never cut, nor a corrupt record left out, without a word on stderr.
    const notes = [
      ...(hidden > 0 ? [`showing ${shown.length} of ${records.length} run records (--limit 0 for all)`] : []),
      ...unreadable.map((path) => `corrupt: ${path} is not in the list (see \`autostack runs show\` for why)`),
    ];
    return {
      stdout: `${JSON.stringify(shown, null, 2)}\n`,
      note: notes.length > 0 ? notes.join('\nnote: ') : undefined,
    };
  }
  if (records.length === 0 && unreadable.length === 0)
    return {
      stdout:
        all.length === 0
          ? `No run records in ${directory}.\n`
          : `No run records in ${directory} match the filters (${all.length} in all).\n`,
    };
  const rows = shown.map((record) => [
    record.runId,
    record.status,
    record.name,
    record.startedAt,
    formatDuration(record.durationMs),
    formatUsd(record.costUsd),
  ]);
  const header = ['RUN ID', 'STATUS', 'NAME', 'STARTED', 'DURATION', 'COST'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[], colour: boolean) =>
    row
      .map((value, column) => {
        const padded = value.padEnd(widths[column] ?? 0);
        return colour && column === 1 ? paint(statusColour(value), padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [paint('bold', format(header, false)), ...rows.map((row) => format(row, true))];
  if (hidden > 0) lines.push(`… ${hidden} more (--limit 0 for all)`);
  for (const path of unreadable) lines.push(`corrupt: ${path} (see \`autostack runs show\` for why)`);
  return { stdout: `${lines.join('\n')}\n` };
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function readRunRecord(directory: string, runId: string, historyDir?: string): string {
  // A run id is a file name, never a path: `runs show ../../etc/passwd` must not read it.
  if (!RUN_ID.test(runId))
    throw new UserError(
      `Argument '<run-id>' must be a run id such as 20261202T140025Z-1a2b3c4d5e6f (letters, digits, . _ -); got ${JSON.stringify(runId.slice(0, 60))}.`,
    );
  const path = join(directory, `${runId}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // Synced records are named after repository and run id: find it by its runId field.
    const found = historyDir
      ? recordFiles([historyDir]).find((file) => readStoredRun(file)?.runId === runId)
      : undefined;
    if (found) return readFileSync(found, 'utf8');
    throw new UserError(
      `No run record '${runId}' in ${directory}${historyDir ? ` or ${historyDir}` : ''} (see \`autostack runs list\`).`,
    );
  }
  const problem = recordProblem(text);
  if (problem)
    throw new UserError(
      `Run record ${path} is corrupt: ${problem}. It is kept as it is; the run's artifact (autostack-run-${runId}) may hold a good copy.`,
    );
  return text;
}

export function showRun(
  directory: string,
  runId: string,
  options: { json?: boolean | undefined; paint?: Paint | undefined; historyDir?: string | undefined } = {},
): string {
  const text = readRunRecord(directory, runId, options.historyDir);
  if (options.json) return text;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw new UserError(`${join(directory, `${runId}.json`)} is not valid JSON.`);
  }
  return formatTimeline(record, options.paint ?? painter(false));
}

/** `autostack runs …`; returns the `runs` command so later commands (sync, why) register beside these. */
export function registerRunsCommands(program: Command): Command {
  const runs = program.command('runs').description('run records written by record-run');
  addDirectoryFlag(runs.command('list').description('list run records, newest first'))
    .option('--automation <name>', 'only runs of this automation (the record-run name)')
    .addOption(new Option('--status <status>', 'only runs that ended so').choices(RUN_STATUSES))
    .option('--since <when>', 'only runs started since: 30m, 12h, 7d, 2w, or a date', (value: string) =>
      parseSince(value),
    )
    .option('--limit <n>', 'how many (default 20 in the table, all with --json; 0 = all)', wholeNumberOrZero)
    .option('--json', 'print the records as a JSON array')
    .option('--dir <dir>', 'history folder written by runs sync', DEFAULT_HISTORY_DIRECTORY)
    .action((options: ListFilters & { directory: string; dir: string }) => {
      const { stdout, note } = listRuns(
        [options.directory, recordsDirectory(options.dir)],
        options,
        painter(colourEnabled(process.stdout)),
      );
      process.stdout.write(redact(stdout));
      if (note) process.stderr.write(`note: ${note}\n`);
    });
  addDirectoryFlag(
    runs.command('show').description('print one run as a timeline: steps, durations, errors, tool calls, tokens, cost'),
  )
    .argument('<run-id>')
    .option('--json', 'print the raw run record')
    .option('--dir <dir>', 'history folder written by runs sync', DEFAULT_HISTORY_DIRECTORY)
    .action((runId: string, options: { directory: string; json?: boolean; dir: string }) => {
      process.stdout.write(
        redact(
          showRun(options.directory, runId, {
            json: options.json,
            paint: painter(colourEnabled(process.stdout)),
            historyDir: recordsDirectory(options.dir),
          }),
        ),
      );
    });
  return runs;
}
