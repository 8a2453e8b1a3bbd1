import { InputError } from '../shared/errors.js';
import { contentHash, versionLabel } from './normalize.js';
import { definitionHeader } from './prompt-file.js';
import type { FrontMatter } from './prompt-schemas.js';
import { promptSchemas } from './engine.js';
import {
  at,
  describeValue,
  isPlainObject,
  issueProblems,
  problemsError,
  unknownKeys,
  YamlSource,
  type DataPath,
} from './source.js';
import type { PromptDefinition, PromptMessage } from './types.js';

/**
 * Plain prompts: a .md/.txt file whose text is the user message, optionally under a `---`
 * front-matter block, and the inline text of the action's `prompt` input.
 */

const FRONT_MATTER_KEYS = ['name', 'description', 'model', 'modelParameters', 'version', 'system'] as const;

export function parseTextPrompt(text: string, file: string, defaultName: string): PromptDefinition {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let front: FrontMatter = {};
  let system: PromptMessage | undefined;
  const warnings: string[] = [];
  let bodyStart = 0;

  if (lines[0]?.trimEnd() === '---') {
    const end = lines.findIndex((line, index) => index > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
    if (end === -1)
      throw problemsError(file, [
        { line: 1, text: "front matter opened with '---' is never closed; end it with a '---' line" },
      ]);
    // The block's first line is file line 2, which YamlSource adds to every line it reports.
    const parsed = YamlSource.parse(lines.slice(1, end).join('\n'), 2);
    if ('error' in parsed)
      throw problemsError(file, [
        { line: parsed.error.line, text: `invalid YAML in front matter: ${parsed.error.message}` },
      ]);
    const source = parsed.source;
    const raw = source.toJS() ?? {};
    if (!isPlainObject(raw))
      throw problemsError(file, [{ line: 2, text: `front matter must be a mapping (got ${describeValue(raw)})` }]);
    const lineOf = (path: DataPath): number => source.lineOf(path);
    const unknown = unknownKeys(raw, FRONT_MATTER_KEYS, [], lineOf);
    // Front matter is rarer than .prompt.yml files: zod reads it (withSchemaEngine loads it).
    const result = promptSchemas().frontMatterSchema.safeParse(raw);
    if (!result.success) throw problemsError(file, [...issueProblems(result.error.issues, raw, lineOf), ...unknown]);
    front = result.data;
    warnings.push(...unknown.map((problem) => `${at(file, problem.line)}${problem.text}`));
    if (front.system !== undefined) {
      system = {
        role: 'system',
        content: front.system,
        label: 'the system prompt',
        line: lineOf(['system']),
        contentLine: source.contentLineOf(['system']),
      };
    }
    bodyStart = end + 1;
  }

  // Leading blank lines are not part of the message, and line numbers must skip them too.
  const afterFrontMatter = bodyStart;
  while (bodyStart < lines.length && (lines[bodyStart] ?? '').trim() === '') bodyStart++;
  const content = lines.slice(bodyStart).join('\n').trimEnd();
  if (content === '') {
    // split() leaves an empty last element after a final newline; that is not a line an editor shows.
    const lastLine = Math.max(1, lines.at(-1) === '' ? lines.length - 1 : lines.length);
    const problem =
      afterFrontMatter > 0
        ? 'has no prompt text; write the prompt below the front matter'
        : 'is empty; write the prompt in it';
    throw problemsError(file, [{ line: Math.min(afterFrontMatter + 1, lastLine), text: problem }]);
  }
  const user: PromptMessage = {
    role: 'user',
    content,
    label: 'the prompt',
    line: bodyStart + 1,
    contentLine: bodyStart + 1,
  };
  return {
    ...definitionHeader(file, text, front, defaultName),
    messages: system ? [system, user] : [user],
    responseFormat: 'text',
    jsonSchema: undefined,
    testData: [],
    evaluators: [],
    tools: [],
    warnings,
  };
}

/**
 * The action's inline `prompt` input. Its hash covers the system text too, when given, so a
 * changed system prompt is a new version; without one it is the hash of the text alone.
 */
export function promptFromText(text: string, options: { system?: string; name?: string } = {}): PromptDefinition {
  if (text.trim() === '') throw new InputError('prompt', 'is empty; give the prompt text, or use prompt-file');
  const system = options.system !== undefined && options.system.trim() !== '' ? options.system : undefined;
  const hash = system === undefined ? contentHash(text) : contentHash(system, text);
  const messages: PromptMessage[] = [
    { role: 'user', content: text, label: 'the prompt', line: undefined, contentLine: undefined },
  ];
  if (system !== undefined)
    messages.unshift({
      role: 'system',
      content: system,
      label: 'the system prompt',
      line: undefined,
      contentLine: undefined,
    });
  return {
    file: undefined,
    name: options.name ?? 'prompt',
    description: undefined,
    model: undefined,
    modelParameters: {},
    messages,
    responseFormat: 'text',
    jsonSchema: undefined,
    testData: [],
    evaluators: [],
    tools: [],
    version: undefined,
    versionLabel: versionLabel(undefined, hash),
    contentHash: hash,
    warnings: [],
  };
}
