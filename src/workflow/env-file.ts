// One parser for the runner's environment files: the local workflow runner and the test harness both read them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * Parses the runner's environment-file format (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE):
 * `name=value` lines and `name<<DELIMITER` heredocs, later values overriding earlier ones.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const body: string[] = [];
      index++;
      while (index < lines.length && lines[index] !== delimiter) body.push(lines[index++] ?? '');
      if (index >= lines.length) throw new Error(`unterminated heredoc for '${name}' (delimiter ${delimiter})`);
      values[name] = body.join('\n');
    } else if (equals > 0) {
      values[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`malformed environment-file line: ${line}`);
    }
  }
  return values;
}

export interface StepFiles {
  GITHUB_OUTPUT: string;
  GITHUB_ENV: string;
  GITHUB_PATH: string;
  GITHUB_STATE: string;
  GITHUB_STEP_SUMMARY: string;
}

/** Fresh, empty environment files for one step of a job (`counter` numbers the job's steps). */
export function createStepFiles(directory: string, counter: number): StepFiles {
  const files: StepFiles = {
    GITHUB_OUTPUT: join(directory, `output-${counter}`),
    GITHUB_ENV: join(directory, `env-${counter}`),
    GITHUB_PATH: join(directory, `path-${counter}`),
    GITHUB_STATE: join(directory, `state-${counter}`),
    GITHUB_STEP_SUMMARY: join(directory, `summary-${counter}`),
  };
  for (const file of [
    files.GITHUB_OUTPUT,
    files.GITHUB_ENV,
    files.GITHUB_PATH,
    files.GITHUB_STATE,
    files.GITHUB_STEP_SUMMARY,
  ])
    writeFileSync(file, '');
  return files;
}

/** What a step hands the runner, through its files (here) or its workflow commands (commands.ts). */
export interface FileEffects {
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  state: Record<string, string>;
}

export interface CollectedFiles extends FileEffects {
  summary: string;
  /** Messages the runner gives as error annotations without failing the step. */
  errors: string[];
  /** A file that cannot be parsed fails the step; what parsed before it is kept. */
  error?: string;
}

/**
 * Reads a step's environment files back. NODE_OPTIONS is refused in GITHUB_ENV, as the runner
 * has done since 2.309.0 (it would change how every later node action starts).
 */
export function readStepFiles(files: StepFiles): CollectedFiles {
  const collected: CollectedFiles = {
    outputs: {},
    env: {},
    path: [],
    state: {},
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    errors: [],
  };
  try {
    collected.outputs = parseEnvFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
    for (const [name, value] of Object.entries(parseEnvFile(readFileSync(files.GITHUB_ENV, 'utf8')))) {
      if (name.toUpperCase() === 'NODE_OPTIONS')
        collected.errors.push("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
      else collected.env[name] = value;
    }
    collected.state = parseEnvFile(readFileSync(files.GITHUB_STATE, 'utf8'));
    collected.path = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean);
  } catch (error) {
    collected.error = `invalid environment file: ${(error as Error).message}`;
  }
  return collected;
}
