import { createConsoleIo } from '../io/console-io.js';
import { finishRun } from '../runs/finish-run.js';
import { startRun } from '../runs/start-run.js';
import { currentJournal } from '../runs/context.js';
import { renderSummary } from '../runs/summary.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { runJournaledStep } from './journal-commands.js';

/**
 * `npm run demo`: a recorded run on embedded defaults — no API key, no Redis, no runner.
 * Grows with the toolkit; today it shows the journal → run record path end to end.
 */
export async function runDemo(options: { directory?: string } = {}): Promise<number> {
  const io = createConsoleIo({ out: process.stdout });
  const directory = options.directory ?? DEFAULT_RUNS_DIRECTORY;
  const recordOptions = { name: 'demo', artifact: false, retentionDays: 1, summary: false, directory };
  startRun(recordOptions, io);
  const journal = currentJournal();
  if (!journal) throw new Error('record-run did not export its journal');
  journal.append({ type: 'log', level: 'info', message: 'demo started', data: { node: process.version } });
  await runJournaledStep('show node version', [process.execPath, '--version']);
  await runJournaledStep('list the working directory', ['ls', '-1']);
  const finished = await finishRun(recordOptions, io);
  if (!finished) return 1;
  process.stdout.write(`\n${renderSummary(finished.record)}\n`);
  process.stdout.write(`Run record: ${finished.localPath}\nList runs: npx autostack runs list --directory ${directory}\n`);
  return finished.record.status === 'success' ? 0 : 1;
}
