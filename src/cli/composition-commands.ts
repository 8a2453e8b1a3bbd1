import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UserError } from '../shared/errors.js';
import { requireJournal } from './journal-commands.js';

/** Output names as GitHub accepts them for steps.<id>.outputs: letters, digits, _ and -. */
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
/** GitHub caps a job's outputs at 1 MB in total; one value may not take all of it. */
const MAX_VALUE_BYTES = 256 * 1024;

/** Parses NAME=VALUE pairs; the first '=' splits, so values may contain '='. */
export function parseOutputPairs(pairs: string[]): Array<{ name: string; value: string }> {
  if (pairs.length === 0)
    throw new UserError('autostack output needs at least one NAME=VALUE, e.g. autostack output version=1.2.3');
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !OUTPUT_NAME.test(name)) {
      throw new UserError(
        `autostack output: '${pair.slice(0, 60)}' is not NAME=VALUE with NAME made of letters, digits, _ and - (starting with a letter or _)`,
      );
    }
    const value = pair.slice(at + 1);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw new UserError(
        `autostack output: the value of '${name}' is over ${MAX_VALUE_BYTES / 1024} KiB; put large results in an artifact and output its name`,
      );
    return { name, value };
  });
}

/**
 * `autostack output NAME=VALUE…`: hands values back to whoever started this run. They go to the
 * run journal (so the run record's `outputs` carries them to a waiting parent) and, on a runner,
 * to GITHUB_OUTPUT too (so later steps of the job can read steps.<id>.outputs.NAME).
 */
export function recordOutputs(pairs: string[], env: NodeJS.ProcessEnv = process.env): void {
  const parsed = parseOutputPairs(pairs);
  const journal = requireJournal();
  for (const { name, value } of parsed) journal.append({ type: 'output', name, value });
  if (env.GITHUB_OUTPUT) {
    const lines = parsed.map(({ name, value }) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    });
    appendFileSync(env.GITHUB_OUTPUT, lines.join(''));
  }
}

export function registerCompositionCommands(program: Command): void {
  program
    .command('output')
    .description(
      'hand values back from this run: recorded in the run record (read by a waiting parent) and set as step outputs',
    )
    .argument('<pairs...>', 'NAME=VALUE pairs')
    .action((pairs: string[]) => recordOutputs(pairs));
}
