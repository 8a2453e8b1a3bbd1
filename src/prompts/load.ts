import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { UserError } from '../shared/errors.js';
import { parsePromptFile } from './prompt-file.js';
import { parseTextPrompt } from './text-prompt.js';
import type { PromptDefinition } from './types.js';

const PROMPT_FILE = /\.prompt\.ya?ml$/i;
const YAML_FILE = /\.ya?ml$/i;
const TEXT_FILE = /\.(md|markdown|txt)$/i;

/**
 * Loads a prompt file: GitHub Models `.prompt.yml`/`.prompt.yaml` (other `.yml`/`.yaml` files
 * are read the same way), or `.md`/`.txt` text with optional front matter. Relative paths are
 * resolved against `cwd` (default: the process's). Every problem is a UserError naming file:line.
 */
export function loadPrompt(path: string, options: { cwd?: string } = {}): PromptDefinition {
  const cwd = options.cwd ?? process.cwd();
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  const file = displayPath(path, absolute, cwd);
  const isYaml = YAML_FILE.test(path);
  if (!isYaml && !TEXT_FILE.test(path)) {
    throw new UserError(`${file}: a prompt file must end in .prompt.yml, .prompt.yaml, .md or .txt`, { file });
  }
  let text: string;
  try {
    if (statSync(absolute).isDirectory())
      throw new UserError(`${file} is a directory; name a .prompt.yml, .md or .txt file`);
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`prompt file not found: ${file} (looked for ${absolute})`);
    throw new UserError(`cannot read prompt file ${file}: ${code ?? String(error)}`);
  }
  return parsePromptText(text, path, file);
}

/**
 * Parses prompt text as the file at `path` is parsed: YAML (GitHub Models) by its extension, else
 * text with optional front matter; the prompt's default name is the file name without it. Errors
 * name `file`. A snapshot of a promoted prompt is read this way under its prompt's path.
 */
export function parsePromptText(text: string, path: string, file: string): PromptDefinition {
  const isYaml = YAML_FILE.test(path);
  const name = basename(path).replace(isYaml ? (PROMPT_FILE.test(path) ? PROMPT_FILE : YAML_FILE) : TEXT_FILE, '');
  return isYaml ? parsePromptFile(text, file, name) : parseTextPrompt(text, file, name);
}

/**
 * The path errors and annotations show: as given when relative; relative to cwd when absolute
 * inside it (cwd is the workspace on a runner, and annotations need repository paths).
 */
function displayPath(given: string, absolute: string, cwd: string): string {
  const shown = isAbsolute(given) ? relative(cwd, absolute) : normalize(given);
  const usable = shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : absolute;
  return usable.split(sep).join('/');
}
