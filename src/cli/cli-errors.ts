import { type Command, CommanderError } from 'commander';
import { type InputError } from '../shared/errors.js';

/** Commander's own exits that are not errors (help, version). */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/** A flag problem commander found while parsing, with the command it belongs to. */
export class FlagError extends Error {
  readonly exitCode: number;
  readonly commandPath: string;
  constructor(error: CommanderError, command: Command) {
    super(error.message);
    this.name = 'FlagError';
    this.exitCode = error.exitCode;
    this.commandPath = commandPath(command);
  }
}

export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * Every command throws instead of printing commander's message and the whole help: main()
 * turns the error into one line naming the flag as typed, what is valid and where help is.
 */
export function throwOnFlagErrors(command: Command): void {
  command.configureOutput({ ...command.configureOutput(), outputError: () => undefined });
  command.exitOverride((error) => {
    if (NOT_ERRORS.has(error.code)) throw error;
    throw new FlagError(error, command);
  });
  for (const sub of command.commands) throwOnFlagErrors(sub);
}

/** `option '--mode <mode>' argument 'x' is invalid. Allowed choices are a, b.` → `flag '--mode' got 'x': must be one of a, b`. */
export function oneLineFlagError(error: FlagError): string {
  let message = error.message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  message = message.replace(
    /^option '(--?[\w-]+)[^']*' argument '(.*)' is invalid\. (.*)$/s,
    (_all, flag: string, value: string, why: string) => {
      const valid = why.replace(/^Allowed choices are (.*?)\.?$/, 'must be one of $1').replace(/\.$/, '');
      return `flag '${flag}' got '${value}': ${valid}`;
    },
  );
  message = message
    .replace(/^unknown option '([^']*)'/, "unknown flag '$1'")
    .replace(/'(--?[\w-]+)(?:, --?[\w-]+)? [<[][^'>\]]*[>\]]'/g, "'$1'")
    .replace(/^option '/, "flag '")
    .replace(/^required option '/, "required flag '");
  return `error: ${message}; see '${error.commandPath} --help'`;
}

/** An action input rejected by its schema, said in the CLI's terms when the command has that flag. */
export function inputErrorAsFlag(error: InputError, command: Command | undefined): string | undefined {
  if (!command) return undefined;
  const flag = `--${error.input}`;
  if (!command.options.some((option) => option.long === flag)) return undefined;
  const problem = error.message.replace(/^Input '[^']*' /, '');
  return `error: flag '${flag}' ${problem}; see '${commandPath(command)} --help'`;
}

export { CommanderError };
