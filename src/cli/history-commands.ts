import type { Command } from 'commander';
import { UserError } from '../shared/errors.js';
import { createConsoleIo } from '../io/console-io.js';
import { createGitHubClient } from '../github/client.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { DEFAULT_HISTORY_DIRECTORY, recordFiles, recordsDirectory } from '../history/store.js';
import { parseSince, syncHistory } from '../history/sync.js';
import { explainRun } from '../history/why.js';
import { requireJournal } from './journal-commands.js';

/** `runs sync` and `runs why`, added to the `runs` command program.ts builds. */
export function registerHistoryCommands(runs: Command): void {
  runs
    .command('sync')
    .description('fetch autostack-run-* artifacts of a repository into the local history (incremental)')
    .requiredOption('--repo <owner/repo>', 'repository to read')
    .option('--since <age>', 'oldest run to fetch: 90d, 12h, 2w or an ISO date', '90d')
    .option('--dir <dir>', 'history folder', DEFAULT_HISTORY_DIRECTORY)
    .option('--concurrency <n>', 'downloads in flight', '4')
    .action(async (options: { repo: string; since: string; dir: string; concurrency: string }) => {
      if (!/^[\w.-]+\/[\w.-]+$/.test(options.repo))
        throw new UserError(`Flag '--repo' must be owner/repo (got '${options.repo}').`);
      const since = parseSince(options.since);
      if (!since)
        throw new UserError(`Flag '--since' must be an age like 90d, 12h, 2w or an ISO date (got '${options.since}').`);
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
        throw new UserError(`Flag '--concurrency' must be a whole number from 1 to 16 (got '${options.concurrency}').`);
      const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
      if (!token) throw new UserError('runs sync needs a token with actions: read in GITHUB_TOKEN (or GH_TOKEN).');
      const io = createConsoleIo();
      io.setSecret(token);
      const client = createGitHubClient({ token, log: io, retries: 4 });
      const result = await syncHistory(client, {
        repository: options.repo,
        since,
        historyDir: options.dir,
        concurrency,
        log: io,
      });
      process.stdout.write(
        `runs sync ${options.repo}: ${result.runsListed} runs listed, ${result.runsInspected} inspected, ${result.downloaded} records fetched, ${result.skipped} already had, ${result.failed.length} failed, ${result.expired.length} expired before this sync → ${recordsDirectory(options.dir)}\n`,
      );
      if (result.expired.length > 0)
        io.warning(
          `runs sync: ${result.expired.length} run record artifact(s) expired on GitHub before this history fetched them: ${result.expired.slice(0, 5).join(', ')}${result.expired.length > 5 ? ', …' : ''}. Sync on a schedule shorter than the artifact retention (90 days by default) to keep every record.`,
        );
      if (result.failed.length > 0) process.exitCode = 1;
    });
  runs
    .command('why')
    .description(
      'explain a run: failing step, error, fingerprint, prompt version, interventions and its dispatch chain',
    )
    .argument('<run-id>', 'autostack run id or GitHub run id')
    .option('--directory <dir>', 'local records directory', DEFAULT_RUNS_DIRECTORY)
    .option('--dir <dir>', 'history folder', DEFAULT_HISTORY_DIRECTORY)
    .action((runId: string, options: { directory: string; dir: string }) => {
      process.stdout.write(explainRun(recordFiles([options.directory, recordsDirectory(options.dir)]), runId));
    });
}

/** `autostack log --intervention`: a person stepped in (approved, fixed by hand, re-ran). */
export function appendIntervention(message: string, env: NodeJS.ProcessEnv = process.env): void {
  requireJournal().append({
    type: 'human.intervention',
    who: env.GITHUB_TRIGGERING_ACTOR ?? env.GITHUB_ACTOR ?? env.USER ?? 'someone',
    what: message,
  });
}
