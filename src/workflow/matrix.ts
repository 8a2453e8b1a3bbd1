// strategy.matrix as GitHub expands it, with the strategy settings around it.
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { UserError } from '../shared/errors.js';
import {
  type Contexts,
  evaluateExpression,
  evaluateString,
  evaluateToken,
  type Json,
  stringify,
} from './expressions.js';
import { soleExpression } from './parser-workarounds.js';
import { flag } from './step-support.js';

const MAX_MATRIX_COMBINATIONS = 256;

/**
 * GitHub's documented algorithm: the cross product of the list-valued keys, minus every
 * combination an `exclude` entry matches; then each `include` entry is added to every original
 * combination none of whose original values it would overwrite (values added by an earlier
 * include may be overwritten), and becomes a combination of its own when it fits none. A
 * combination an include created is never a target for a later include.
 */
export function expandMatrix(matrix: Json, where: string): Array<Record<string, Json>> {
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix))
    throw new UserError(`${where}: strategy.matrix must be a mapping of lists`);
  const { include, exclude, ...axes } = matrix;
  const asEntries = (value: Json | undefined, key: string): Array<Record<string, Json>> => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((entry) => !entry || typeof entry !== 'object' || Array.isArray(entry)))
      throw new UserError(`${where}: strategy.matrix.${key} must be a list of mappings`);
    return value as Array<Record<string, Json>>;
  };
  let combinations: Array<Record<string, Json>> = Object.keys(axes).length > 0 ? [{}] : [];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values))
      throw new UserError(`${where}: strategy.matrix.${key} must be a list (got ${stringify(values)})`);
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
  for (const rule of asEntries(exclude, 'exclude')) {
    combinations = combinations.filter(
      (combination) => !Object.entries(rule).every(([key, value]) => same(combination[key], value)),
    );
  }
  const originals = combinations.map((combination) => ({ ...combination }));
  const added: Array<Record<string, Json>> = [];
  for (const extra of asEntries(include, 'include')) {
    let merged = false;
    originals.forEach((original, index) => {
      if (Object.entries(extra).every(([key, value]) => !(key in original) || same(original[key], value))) {
        Object.assign(combinations[index] ?? {}, extra);
        merged = true;
      }
    });
    if (!merged) added.push({ ...extra });
  }
  combinations.push(...added);
  if (combinations.length === 0) throw new UserError(`${where}: strategy.matrix expands to no combinations`);
  if (combinations.length > MAX_MATRIX_COMBINATIONS)
    throw new UserError(
      `${where}: strategy.matrix expands to ${combinations.length} combinations; GitHub allows ${MAX_MATRIX_COMBINATIONS}`,
    );
  return combinations;
}

export interface Strategy {
  combinations: Array<Record<string, Json>>;
  failFast: boolean;
  maxParallel: number;
}

/** The job's strategy: its matrix expanded, fail-fast (default true) and max-parallel (default: all). */
export function readStrategy(
  strategy: MappingToken,
  matrixToken: TemplateToken,
  contexts: Contexts,
  where: string,
): Strategy {
  const expression = soleExpression(matrixToken);
  const matrix =
    expression !== undefined
      ? evaluateExpression(expression, { contexts, where })
      : evaluateToken(matrixToken, { contexts, where });
  const combinations = expandMatrix(matrix, where);
  const failFastToken = strategy.find('fail-fast');
  const failFast = failFastToken ? flag(failFastToken, { contexts, where }) : true;
  const maxToken = strategy.find('max-parallel');
  const maxParallel = maxToken ? Number(evaluateString(maxToken, { contexts, where })) : combinations.length;
  if (!Number.isInteger(maxParallel) || maxParallel < 1)
    throw new UserError(`${where}: strategy.max-parallel must be a whole number of at least 1`);
  return { combinations, failFast, maxParallel };
}
