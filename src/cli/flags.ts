import { type Command, InvalidArgumentError, Option } from 'commander';
import { type InputShape, isBooleanInput } from '../shared/inputs.js';

/** Reads one input by its action name (`redis-url`), so one zod schema validates action inputs and CLI flags. */
export type FlagReader = (name: string) => string | undefined;

/** Commander stores `--redis-url` as `redisUrl`: map the action's input names onto that. */
export function flagReader(options: Record<string, unknown>): FlagReader {
  return (name) => {
    const value = options[camel(name)];
    return value === undefined ? undefined : String(value);
  };
}

export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

const TRUE_WORDS = ['true', 'yes', '1', 'on'];
const FALSE_WORDS = ['false', 'no', '0', 'off'];

function parseBoolean(value: string): boolean {
  if (TRUE_WORDS.includes(value.toLowerCase())) return true;
  if (FALSE_WORDS.includes(value.toLowerCase())) return false;
  throw new InvalidArgumentError('must be true or false');
}

/**
 * A boolean flag as people expect from other tools: `--dry-run` alone is true, `--no-dry-run`
 * is false, and `--dry-run=false` still works (what a workflow input would say). Left unset,
 * the value stays undefined so the action's schema default applies.
 */
export function addBooleanFlag(command: Command, name: string, description: string, defaultValue?: boolean): Command {
  const option = new Option(`--${name} [boolean]`, description).argParser(parseBoolean);
  if (defaultValue !== undefined) option.default(defaultValue);
  command.addOption(option);
  command.addOption(new Option(`--no-${name}`, `same as --${name}=false`).hideHelp());
  return command;
}

/**
 * One flag per action input, named as the input (`--redis-url`): booleans get the bare and
 * `--no-` forms, everything else takes a value. `override` lets a command take some inputs itself.
 */
export function addInputFlags(
  command: Command,
  shape: InputShape,
  help: Record<string, string>,
  override: (name: string) => boolean = () => false,
): Command {
  for (const [name, schema] of Object.entries(shape)) {
    if (override(name)) continue;
    const description = help[name] ?? `the action's '${name}' input`;
    if (isBooleanInput(schema)) addBooleanFlag(command, name, description);
    else command.option(`--${name} <value>`, description);
  }
  return command;
}
