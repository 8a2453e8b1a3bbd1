// Where @actions/workflow-parser reads a workflow differently from GitHub, corrected in one place
// (test/workflow/fidelity.test.ts shows each defect on the parser itself, so a fixed release is noticed).
import { isBasicExpression } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/**
 * A block scalar holding one expression (`matrix: |` then `${{ fromJSON(…) }}` on its own line)
 * is read by the parser as `format('    {0}\n', fromJSON(…))`: a string around the value. GitHub
 * reads the one expression, so `fromJSON` can supply a whole matrix. Returns that expression.
 */
export function soleExpression(token: TemplateToken): string | undefined {
  if (!isBasicExpression(token)) return undefined;
  const match = /^format\('\s*\{0\}\s*',\s*([\s\S]+)\)$/.exec(token.expression);
  return match?.[1];
}
