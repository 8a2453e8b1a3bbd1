import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../shared/errors.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { DEFAULT_HISTORY_DIRECTORY, recordFiles, recordsDirectory, writeFileAtomic } from '../history/store.js';
import { aggregateRuns } from '../history/aggregate.js';
import { renderDashboardHtml } from '../history/html.js';
import { renderDashboardMarkdown } from '../history/markdown.js';

export function registerDashboardCommands(program: Command): void {
  program
    .command('dashboard')
    .description('aggregate run history into one self-contained HTML report and/or a Markdown digest')
    .option('--out <file>', 'write the HTML report here')
    .option(
      '--markdown [file]',
      'write the Markdown digest (to stdout without a file; to the job summary with $GITHUB_STEP_SUMMARY)',
    )
    .option('--directory <dir>', 'local records directory', DEFAULT_RUNS_DIRECTORY)
    .option('--dir <dir>', 'history folder', DEFAULT_HISTORY_DIRECTORY)
    .option('--recent <n>', 'runs embedded for drill-down', '200')
    .option('--hours <n>', 'hours in the runs-per-hour chart', '168')
    .option('--title <title>', 'report title', 'autostack runs')
    .action(
      (options: {
        out?: string;
        markdown?: string | boolean;
        directory: string;
        dir: string;
        recent: string;
        hours: string;
        title: string;
      }) => {
        if (!options.out && options.markdown === undefined)
          throw new UserError("dashboard needs '--out report.html' and/or '--markdown [file]'.");
        const recent = wholeNumber('--recent', options.recent, 0, 5000);
        const hours = wholeNumber('--hours', options.hours, 1, 24 * 90);
        const data = aggregateRuns(recordFiles([options.directory, recordsDirectory(options.dir)]), {
          recentLimit: recent,
          hours,
        });
        if (options.out) {
          writeAtomic(options.out, renderDashboardHtml(data, options.title));
          process.stderr.write(`dashboard: ${data.runs} runs → ${options.out}\n`);
        }
        if (options.markdown !== undefined) {
          const markdown = renderDashboardMarkdown(data, options.title);
          if (typeof options.markdown === 'string') writeAtomic(options.markdown, markdown);
          else process.stdout.write(markdown);
        }
      },
    );
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new UserError(`Flag '${flag}' must be a whole number from ${min} to ${max} (got '${value}').`);
  return parsed;
}

function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, content);
}
