import { recordRunOptions } from '../actions/record-run.js';
import { createConsoleIo } from '../io/console-io.js';
import { readGitHubContext } from '../io/github-context.js';
import { finishRun } from '../runs/finish-run.js';
import { readJournal } from '../runs/journal-read.js';
import { RUN_STATE, startRun } from '../runs/start-run.js';
import type { FlagReader } from './flags.js';
import { requireJournal, runJournaledStep } from './journal-commands.js';
import { exportRunIfConfigured } from '../telemetry/export-run.js';
import { runnerPorts } from '../ports/runner.js';

/** `autostack record-run start`: prints `export` lines for `eval`, the CLI's GITHUB_ENV. */
export function recordRunStart(read: FlagReader): { exports: string; outputs: Record<string, string> } {
  const io = createConsoleIo();
  const github = readGitHubContext();
  const options = recordRunOptions(read, github);
  startRun(options, io, github);
  const exports = ['AUTOSTACK_RUN_ID', 'AUTOSTACK_JOURNAL', 'AUTOSTACK_RUN_NAME']
    .map((name) => `export ${name}=${shellQuote(process.env[name] ?? '')}`)
    .join('\n');
  // The action's outputs (run-id, journal), for --json.
  return { exports: `${exports}\n`, outputs: Object.fromEntries(io.outputs) };
}

/** `autostack record-run finish`: the post step, with state recovered from the journal. */
export async function recordRunFinish(read: FlagReader): Promise<string | undefined> {
  const journal = requireJournal();
  const io = createConsoleIo();
  const started = (await readJournal(journal.path)).events.find((event) => event.type === 'run.started');
  io.saveStates([
    [RUN_STATE.runId, journal.runId],
    [RUN_STATE.journal, journal.path],
    ...(started ? [[RUN_STATE.startedAt, started.ts] as const] : []),
    ...(started?.type === 'run.started' ? [[RUN_STATE.name, started.name] as const] : []),
  ]);
  const github = readGitHubContext();
  const options = recordRunOptions(read, github);
  const finished = await finishRun({ ...options, summary: false }, io, runnerPorts(), github, process.env, (record) =>
    exportRunIfConfigured(record, options.telemetry, io),
  );
  return finished?.localPath;
}

/** `autostack record-run -- cmd`: a whole recorded run around one command. */
export async function recordRunAround(
  read: FlagReader,
  command: string[],
): Promise<{ exitCode: number; recordPath: string | undefined; outputs: Record<string, string> }> {
  const { outputs } = recordRunStart(read);
  const exitCode = await runJournaledStep(command.join(' ').slice(0, 80), command);
  const recordPath = await recordRunFinish(read);
  return { exitCode, recordPath, outputs };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
