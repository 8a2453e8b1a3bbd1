import { UserError } from '../shared/errors.js';
import { at } from './source.js';
import type { PromptDefinition, RenderedPrompt } from './types.js';
import { delimitUntrusted, UNTRUSTED_NOTE } from './untrusted.js';

/** `{{name}}` or `{{ name }}`; anything else in double braces is left alone as literal text. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Variable names used by the prompt's messages, each once, in order of first use. */
export function listVariables(def: PromptDefinition): string[] {
  const names = new Set<string>();
  for (const message of def.messages)
    for (const match of message.content.matchAll(PLACEHOLDER)) if (match[1]) names.add(match[1]);
  return [...names];
}

/**
 * Fills every placeholder and merges system messages into `system`. A placeholder without a
 * variable is an error rather than being sent on as literal `{{x}}`: a model given a template
 * hole answers confidently about nothing. Untrusted variables (the prompt's `untrusted:` plus
 * `options.untrusted`) go in cleaned and delimited (untrusted.ts), and only into user or
 * assistant messages: the system prompt is the author's alone.
 */
export function renderPrompt(
  def: PromptDefinition,
  variables: Record<string, string>,
  options: { untrusted?: readonly string[] } = {},
): RenderedPrompt {
  const untrusted = new Set([...(def.untrusted ?? []), ...(options.untrusted ?? [])]);
  const missing: Array<{ name: string; label: string; line: number | undefined }> = [];
  const systems: string[] = [];
  const messages: RenderedPrompt['messages'] = [];
  let delimited = false;
  for (const message of def.messages) {
    const content = message.content.replace(PLACEHOLDER, (placeholder: string, name: string, offset: number) => {
      const line =
        message.contentLine === undefined ? message.line : message.contentLine + countNewlines(message.content, offset);
      if (!Object.hasOwn(variables, name)) {
        missing.push({ name, label: message.label, line });
        return placeholder;
      }
      const value = variables[name] ?? '';
      if (!untrusted.has(name)) return value;
      if (message.role === 'system')
        throw new UserError(
          `${at(def.file, line)}${message.label} uses {{${name}}}, which is untrusted: untrusted text is never put in the system prompt; move it to a user message`,
          { file: def.file, line },
        );
      delimited = true;
      return delimitUntrusted(name, value);
    });
    if (message.role === 'system') systems.push(content);
    else messages.push({ role: message.role, content });
  }
  const first = missing[0];
  if (first) throw missingError(def.file, first, missing, variables);
  if (delimited) systems.push(UNTRUSTED_NOTE);
  return systems.length > 0 ? { system: systems.join('\n\n'), messages } : { messages };
}

/**
 * Substitutes into any template text (an llm evaluator's prompt, say) with the same rules and
 * the same refusal of unknown placeholders. `where` names the text in the error.
 */
export function fillTemplate(
  template: string,
  variables: Record<string, string>,
  where: { file?: string | undefined; line?: number | undefined; label: string },
): string {
  const missing: Array<{ name: string; label: string; line: number | undefined }> = [];
  const filled = template.replace(PLACEHOLDER, (placeholder: string, name: string) => {
    if (Object.hasOwn(variables, name)) return variables[name] ?? '';
    missing.push({ name, label: where.label, line: where.line });
    return placeholder;
  });
  const first = missing[0];
  if (first) throw missingError(where.file, first, missing, variables);
  return filled;
}

function missingError(
  file: string | undefined,
  first: { name: string; label: string; line: number | undefined },
  missing: ReadonlyArray<{ name: string }>,
  variables: Record<string, string>,
): UserError {
  const given = Object.keys(variables);
  const others = [...new Set(missing.map((entry) => entry.name))].filter((name) => name !== first.name);
  const also = others.length > 0 ? `; also missing: ${others.join(', ')}` : '';
  const givenText = given.length > 0 ? `variables given: ${given.join(', ')}` : 'no variables were given';
  return new UserError(
    `${at(file, first.line)}${first.label} uses {{${first.name}}} but no variable '${first.name}' was given (${givenText}${also})`,
    {
      file,
      line: first.line,
    },
  );
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
