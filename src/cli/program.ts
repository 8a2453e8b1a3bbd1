import { Command, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { recordRunInputs } from '../actions/record-run.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { runDemo } from './demo.js';
import { appendLog, type LogLevel, runJournaledStep } from './journal-commands.js';
import { addInputFlags, flagReader } from './flags.js';
import { throwOnFlagErrors } from './cli-errors.js';
import { runProgram } from './run-program.js';
import { recordRunAround, recordRunFinish, recordRunStart } from './record-run-commands.js';
import { registerRunsCommands } from './runs-commands.js';
import { registerRunPromptCommands } from './run-prompt-commands.js';
import { registerPromoteCommands } from './promote-commands.js';
import { registerRelayCommands } from './relay-commands.js';
import { registerWorkflowCommands } from './workflow-commands.js';
import { registerEventCommands } from './events-commands.js';
import { registerCompositionCommands } from './composition-commands.js';

const RECORD_RUN_HELP: Record<string, string> = {
  name: 'automation name',
  artifact: 'upload as an artifact when on a runner (--no-artifact: do not)',
  'retention-days': 'artifact retention, 1-90',
  summary: 'write the job summary (--no-summary: do not)',
  directory: 'where run records are written (default .autostack/runs)',
  'github-token': 'token to read step outcomes from the jobs API',
};
import { appendIntervention, registerHistoryCommands } from './history-commands.js';
import { registerDashboardCommands } from './dashboard-commands.js';

function addRecordRunFlags(command: Command): Command {
  return addInputFlags(command, recordRunInputs, RECORD_RUN_HELP).option(
    '--json',
    "print the action's outputs (run-id, journal) as JSON",
  );
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `record-run` around a command, and its `start` / `finish` halves for a run spread over steps. */
function registerRecordRunCommands(program: Command): void {
  // Flags after `record-run start` belong to `start`: without positional options (here and on
  // the program) commander hands them to `record-run`, which has flags of the same names.
  const recordRun = addRecordRunFlags(
    program
      .command('record-run')
      .description('record a run around a command: autostack record-run --name X -- npm test')
      .enablePositionalOptions()
      .argument('[command...]', 'command to run as the recorded step'),
  ).action(async (command: string[], options: Record<string, unknown>) => {
    if (command.length === 0)
      throw new UserError('record-run needs a command after --, or use `record-run start` / `record-run finish`.');
    const { exitCode, recordPath, outputs } = await recordRunAround(flagReader(options), command);
    if (options.json === true) writeJson({ ...outputs, 'record-path': recordPath ?? '', 'exit-code': exitCode });
    else process.stderr.write(`run record: ${recordPath ?? '(none)'}\n`);
    process.exitCode = exitCode;
  });
  addRecordRunFlags(
    recordRun.command('start').description('start a run; prints export lines: eval "$(autostack record-run start)"'),
  ).action((options: Record<string, unknown>) => {
    const { exports, outputs } = recordRunStart(flagReader(options));
    if (options.json === true) writeJson(outputs);
    else process.stdout.write(redact(exports));
  });
  addRecordRunFlags(recordRun.command('finish').description('fold the journal into the run record')).action(
    async (options: Record<string, unknown>) => {
      const path = await recordRunFinish(flagReader(options));
      if (options.json === true) writeJson({ 'run-id': process.env.AUTOSTACK_RUN_ID ?? '', 'record-path': path ?? '' });
      else if (path) process.stdout.write(redact(`${path}\n`));
    },
  );
}

export function buildProgram(): Command {
  const program = new Command('autostack')
    .description(
      'Observable, recoverable AI and event automation for GitHub Actions — the same code as the actions, on your machine.',
    )
    .version(packageJson.version, '-V, --version', 'print the autostack version')
    .enablePositionalOptions();

  registerRecordRunCommands(program);

  program
    .command('log')
    .description('append an event to the current run journal (from run: steps)')
    .argument('<message>', 'what happened')
    .addOption(
      new Option('--level <level>', 'severity')
        .choices(['debug', 'info', 'notice', 'warning', 'error'])
        .default('info'),
    )
    .option('--step <step>', 'step this belongs to')
    .option('--data <json>', 'structured data (JSON)')
    .option('--intervention', 'record that a person stepped in (shown by runs why and the dashboard)')
    .action((message: string, options: { level: LogLevel; step?: string; data?: string; intervention?: boolean }) =>
      options.intervention ? appendIntervention(message) : appendLog(message, options),
    );

  registerCompositionCommands(program);

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
    .option('--workspace <dir>', 'folder to run in; the examples are copied there (default: a new temp folder, kept)')
    .action(async (options: { quiet?: boolean; workspace?: string }) => {
      process.exitCode = await runDemo(options);
    });

  const runs = registerRunsCommands(program);
  registerHistoryCommands(runs);
  registerDashboardCommands(program);
  registerRunPromptCommands(program);
  registerPromoteCommands(program);
  registerEventCommands(program);
  registerRelayCommands(program);
  registerWorkflowCommands(program);
  throwOnFlagErrors(program);
  return program;
}

/** Runs the CLI (see run-program.ts for how errors are reported). */
export async function main(argv: string[]): Promise<void> {
  await runProgram(buildProgram(), argv);
}
