import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * Appends markdown to the step's job summary file (GITHUB_STEP_SUMMARY), the file
 * `core.summary.addRaw(markdown, true).write()` appends to, with the same bytes (the text and
 * one EOL). Not through core.summary: its write goes through fs.promises, whose first use
 * loads Node's fs/promises and readline modules (~10 ms of record-run's post step on Node 24,
 * issue 15) for one small append. Like core, it never creates the file: the runner makes one
 * per step, so a missing file is a runner that offers no summary, reported, not worked around.
 */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path)
    throw new Error('GITHUB_STEP_SUMMARY is not set: this runner gives the step no job summary file to write to');
  // O_APPEND without O_CREAT: appends, or fails with ENOENT when the runner made no file.
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
  try {
    writeFileSync(fd, `${markdown}${EOL}`);
  } finally {
    closeSync(fd);
  }
}
