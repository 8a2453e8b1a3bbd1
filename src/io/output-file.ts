import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { randomBytes, uuidFromBytes } from '../shared/light-random.js';

/**
 * A step's outputs (or variables, or state) as @actions/core's file command writes them
 * (core.setOutput with GITHUB_OUTPUT set; exportVariable and saveState write the same form to
 * GITHUB_ENV and GITHUB_STATE), but all of them in one append: core opens /dev/urandom for each
 * delimiter and opens the file for each value (run-prompt sets 13 outputs). The bytes are core's: `name<<ghadelimiter_<uuid>`,
 * the value, the delimiter, each line ending in os.EOL; a name or value holding its delimiter is
 * refused with core's message (test/property/output-file.test.ts holds this to core's own output).
 */
export function outputCommands(outputs: readonly (readonly [string, string])[], random: Buffer): string {
  let text = '';
  outputs.forEach(([name, value], index) => {
    const delimiter = `ghadelimiter_${uuidFromBytes(random, index * 16)}`;
    if (name.includes(delimiter))
      throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    if (value.includes(delimiter))
      throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    text += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
  });
  return text;
}

/** Appends the values to the runner's file in one write; false when the runner set no such file. */
export function appendFileCommands(
  variable: 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE',
  outputs: readonly (readonly [string, string])[],
): boolean {
  const file = process.env[variable] || '';
  if (!file) return false;
  if (outputs.length === 0) return true;
  // core checks the file is there rather than creating it: the runner makes it, a missing one is a bug.
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, outputCommands(outputs, randomBytes(16 * outputs.length)), { encoding: 'utf8' });
  return true;
}
