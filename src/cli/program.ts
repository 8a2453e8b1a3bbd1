import { Command, InvalidArgumentError, Option } from 'commander';
import { errorMessage, UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { runDemo } from './demo.js';
import { appendLog, type LogLevel, runJournaledStep } from './journal-commands.js';
import { flagReader } from './flags.js';
import { recordRunAround, recordRunFinish, recordRunStart } from './record-run-commands.js';
import { listRuns, showRun } from './runs-commands.js';
import { registerRunPromptCommands } from './run-prompt-commands.js';
import { registerPromoteCommands } from './promote-commands.js';
import { registerRelayCommands } from './relay-commands.js';
import { registerWorkflowCommands } from './workflow-commands.js';
import { registerEventCommands } from './events-commands.js';
import { appendIntervention, registerHistoryCommands } from './history-commands.js';
import { registerDashboardCommands } from './dashboard-commands.js';
import { DEFAULT_HISTORY_DIRECTORY, recordsDirectory } from '../history/store.js';

function addRecordRunFlags(command: Command): Command {
  return command
    .option('--name <name>', 'automation name')
    .option('--artifact <boolean>', 'upload as an artifact when on a runner')
    .option('--retention-days <days>', 'artifact retention, 1-90')
    .option('--summary <boolean>', 'write the job summary')
    .option('--directory <dir>', 'where run records are written', DEFAULT_RUNS_DIRECTORY)
    .option('--github-token <token>', 'token to read step outcomes from the jobs API');
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command('autostack')
    .description('Observable, recoverable AI and event automation for GitHub Actions — the same code as the actions, on your machine.')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(redact(text)) });

  const recordRun = addRecordRunFlags(
    program
      .command('record-run')
      .description('record a run around a command: autostack record-run --name X -- npm test')
      .argument('[command...]', 'command to run as the recorded step'),
  ).action(async (command: string[], options: Record<string, unknown>) => {
    if (command.length === 0) throw new UserError('record-run needs a command after --, or use `record-run start` / `record-run finish`.');
    const { exitCode, recordPath } = await recordRunAround(flagReader(options), command);
    process.stderr.write(`run record: ${recordPath ?? '(none)'}\n`);
    process.exitCode = exitCode;
  });
  addRecordRunFlags(recordRun.command('start').description('start a run; prints export lines: eval "$(autostack record-run start)"')).action(
    (options: Record<string, unknown>) => {
      process.stdout.write(recordRunStart(flagReader(options)));
    },
  );
  addRecordRunFlags(recordRun.command('finish').description('fold the journal into the run record')).action(async (options: Record<string, unknown>) => {
    const path = await recordRunFinish(flagReader(options));
    if (path) process.stdout.write(`${path}\n`);
  });

  program
    .command('log')
    .description('append an event to the current run journal (from run: steps)')
    .argument('<message>', 'what happened')
    .addOption(new Option('--level <level>', 'severity').choices(['debug', 'info', 'notice', 'warning', 'error']).default('info'))
    .option('--step <step>', 'step this belongs to')
    .option('--data <json>', 'structured data (JSON)')
    .option('--intervention', 'record that a person stepped in (shown by runs why and the dashboard)')
    .action((message: string, options: { level: LogLevel; step?: string; data?: string; intervention?: boolean }) =>
      options.intervention ? appendIntervention(message) : appendLog(message, options),
    );

  program
    .command('step')
    .description('run a command as a journaled step: autostack step --name build -- npm test')
    .requiredOption('--name <name>', 'step name')
    .option('--action <action>', 'what kind of step this is', 'run')
    .argument('<command...>', 'the command and its arguments')
    .action(async (command: string[], options: { name: string; action: string }) => {
      process.exitCode = await runJournaledStep(options.name, command, { action: options.action });
    });

  program
    .command('demo')
    .description('run the issue-triage example workflow locally on a sample event (no API key, Redis or GitHub needed)')
    .option('--quiet', 'only step status lines, not step output')
    .action(async (options: { quiet?: boolean }) => {
      process.exitCode = await runDemo(options);
    });

  const runs = program.command('runs').description('run records written by record-run');
  runs
    .command('list')
    .description('list run records, newest first')
    .option('--directory <dir>', 'records directory', DEFAULT_RUNS_DIRECTORY)
    .option('--limit <n>', 'how many', positiveInteger, 20)
    .option('--json', 'print JSON')
    .option('--dir <dir>', 'history folder written by runs sync', DEFAULT_HISTORY_DIRECTORY)
    .action((options: { directory: string; limit: number; json?: boolean; dir: string }) => {
      process.stdout.write(listRuns([options.directory, recordsDirectory(options.dir)], options));
    });
  runs
    .command('show')
    .description('print one run record')
    .argument('<run-id>')
    .option('--directory <dir>', 'records directory', DEFAULT_RUNS_DIRECTORY)
    .option('--dir <dir>', 'history folder written by runs sync', DEFAULT_HISTORY_DIRECTORY)
    .action((runId: string, options: { directory: string; dir: string }) => {
      process.stdout.write(showRun(options.directory, runId, recordsDirectory(options.dir)));
    });
  registerHistoryCommands(runs);
  registerDashboardCommands(program);
  registerRunPromptCommands(program);
  registerPromoteCommands(program);
  registerEventCommands(program);
  registerRelayCommands(program);
  registerWorkflowCommands(program);
  return program;
}

/** Runs the CLI; user errors are one line on stderr and exit 1, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const prefix = error instanceof UserError ? 'error' : 'autostack internal error';
    process.stderr.write(`${prefix}: ${redact(errorMessage(error))}\n`);
    if (!(error instanceof UserError) && process.env.AUTOSTACK_DEBUG && error instanceof Error) process.stderr.write(`${redact(error.stack ?? '')}\n`);
    process.exitCode = 1;
  }
}
