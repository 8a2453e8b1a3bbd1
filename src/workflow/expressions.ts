import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { type Token, TokenType } from '@actions/expressions/lexer';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../shared/errors.js';
import { hashFiles } from './hash-files.js';

/** A JSON value, as the contexts hold them. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Named contexts an expression can read (github, env, steps, needs, …), as plain JSON. */
export type Contexts = Record<string, Json>;

/** What the status functions need to know at the point an `if:` is evaluated. */
export interface StatusState {
  /** Everything before this point succeeded (the job's earlier steps, or every ancestor job). */
  success: boolean;
  /** Something before this point failed (a step in this job, or an ancestor job). */
  failure: boolean;
  /** The run was cancelled (Ctrl-C, or the job hit its timeout). */
  cancelled: boolean;
}

export interface EvaluationScope {
  contexts: Contexts;
  status?: StatusState;
  /** For hashFiles(): the workspace it globs in. */
  workspace?: string;
  /** Where the expression came from, for error messages ("file.yml:12"). */
  where: string;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'] as const;

function functionInfos(): FunctionInfo[] {
  return [
    ...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
    { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
  ];
}

/** Plain JSON → the expression library's data model (its own reviver does the work). */
export function toExpressionData(value: Json | undefined): data.ExpressionData {
  if (value === undefined) return new data.Null();
  return JSON.parse(JSON.stringify(value), data.reviver) as data.ExpressionData;
}

/** The expression library's data model → plain JSON. */
export function fromExpressionData(value: data.ExpressionData): Json {
  return JSON.parse(JSON.stringify(value, data.replacer) ?? 'null') as Json;
}

/**
 * How GitHub turns an expression result into a string (env values, inputs, run: scripts):
 * null is empty, booleans and numbers print plainly, objects and arrays become JSON.
 */
export function stringify(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

function functionsFor(scope: EvaluationScope): Map<string, FunctionDefinition> {
  const status = scope.status ?? { success: true, failure: false, cancelled: false };
  const boolean = (value: boolean) => new data.BooleanData(value);
  const definitions: FunctionDefinition[] = [
    { name: 'success', minArgs: 0, maxArgs: 0, call: () => boolean(status.success && !status.cancelled) },
    { name: 'failure', minArgs: 0, maxArgs: 0, call: () => boolean(status.failure) },
    { name: 'always', minArgs: 0, maxArgs: 0, call: () => boolean(true) },
    { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => boolean(status.cancelled) },
    {
      name: 'hashFiles',
      minArgs: 1,
      maxArgs: 255,
      call: (...args) =>
        new data.StringData(
          scope.workspace
            ? hashFiles(
                scope.workspace,
                args.map((arg) => arg.coerceString()),
              )
            : '',
        ),
    },
  ];
  return new Map(definitions.map((definition) => [definition.name.toLowerCase(), definition]));
}

/**
 * Tokens of an expression. @actions/expressions 0.3.61 un-escapes only the first `''` in a string
 * literal (`value.replace("''", "'")`), so `'a ''x'' b'` would read as `a 'x'' b`; the runner
 * un-escapes them all. The literal's value is rebuilt from its lexeme, as GitHub's runner does.
 */
function lex(expression: string): Token[] {
  const tokens = new Lexer(expression).lex().tokens;
  for (const token of tokens) {
    if (token.type === TokenType.STRING && token.lexeme.length >= 2)
      token.value = token.lexeme.slice(1, -1).replaceAll("''", "'");
  }
  return tokens;
}

/** GitHub's own parser and evaluator over `scope`; a failure is one line naming `shown` and where. */
function evaluateWithGitHub(expression: string, scope: EvaluationScope, shown: string): data.ExpressionData {
  const contextNames = Object.keys(scope.contexts);
  try {
    const tokens = lex(expression);
    const tree = new Parser(tokens, contextNames, functionInfos()).parse();
    const context = new data.Dictionary(
      ...contextNames.map((key) => ({ key, value: toExpressionData(scope.contexts[key]) })),
    );
    return new Evaluator(tree, context, functionsFor(scope)).evaluate();
  } catch (error) {
    throw new UserError(`${scope.where}: cannot evaluate ${shown}: ${(error as Error).message}`);
  }
}

/** Evaluates one expression (the text inside `${{ }}`) with GitHub's own parser and evaluator. */
export function evaluateExpression(expression: string, scope: EvaluationScope): Json {
  return fromExpressionData(evaluateWithGitHub(expression, scope, `\${{ ${expression} }}`));
}

/** `if:` conditions: the parser has already wrapped them in `success() && (…)` where needed. */
export function evaluateCondition(expression: string, scope: EvaluationScope): boolean {
  return truthy(evaluateWithGitHub(expression, scope, `if: ${expression}`));
}

/** Replaces each `${{ … }}` in a string with its value (quotes inside expressions respected). */
export function interpolate(text: string, scope: EvaluationScope): string {
  let result = '';
  let cursor = 0;
  for (;;) {
    const open = text.indexOf('${{', cursor);
    if (open < 0) return result + text.slice(cursor);
    let index = open + 3;
    let inString = false;
    while (index < text.length) {
      const char = text[index];
      if (char === "'") {
        if (inString && text[index + 1] === "'") index++;
        else inString = !inString;
      } else if (!inString && char === '}' && text[index + 1] === '}') break;
      index++;
    }
    if (index >= text.length) throw new UserError(`${scope.where}: an expression is not closed with }}`);
    result += text.slice(cursor, open) + stringify(evaluateExpression(text.slice(open + 3, index).trim(), scope));
    cursor = index + 2;
  }
}

/**
 * The parser builds the format() of a multi-line scalar from its raw YAML source (indentation
 * and all, for editor positions); the runner works on the scalar's value. So for those, the value
 * is recovered with a YAML parser and its expressions are evaluated in place.
 */
function multilineValue(token: TemplateToken): string | undefined {
  if (!isBasicExpression(token) || !token.source || !token.source.includes('\n')) return undefined;
  const header = token.blockScalarHeader;
  const document = header ? `value: ${header}\n${token.source}` : `value: ${token.source}`;
  try {
    const parsed = parseYaml(document) as { value?: unknown };
    return typeof parsed?.value === 'string' ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

/** Evaluates a template token (a scalar with `${{ }}`, a mapping, a sequence) to JSON. */
export function evaluateToken(token: TemplateToken, scope: EvaluationScope): Json {
  const multiline = multilineValue(token);
  if (multiline !== undefined) return interpolate(multiline, scope);
  if (isBasicExpression(token)) return evaluateExpression(token.expression, scope);
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isSequence(token)) {
    const items: Json[] = [];
    for (const item of token) items.push(evaluateToken(item, scope));
    return items;
  }
  if (isMapping(token)) {
    const result: Record<string, Json> = {};
    for (const pair of token) result[String(evaluateToken(pair.key, scope))] = evaluateToken(pair.value, scope);
    return result;
  }
  if (token.isExpression)
    throw new UserError(
      `${scope.where}: \${{ insert }} and other template directives are not supported by the local runner`,
    );
  return null;
}

export function evaluateString(token: TemplateToken | undefined, scope: EvaluationScope): string {
  if (!token) return '';
  return stringify(evaluateToken(token, scope));
}

/** A mapping of name → string (env, with, outputs), evaluated key by key so later keys can fail alone. */
export function evaluateStringMap(token: TemplateToken | undefined, scope: EvaluationScope): Record<string, string> {
  const result: Record<string, string> = {};
  if (!token || !isMapping(token)) return result;
  for (const pair of token) {
    const key = isString(pair.key) ? pair.key.value : stringify(evaluateToken(pair.key, scope));
    result[key] = stringify(evaluateToken(pair.value, scope));
  }
  return result;
}
