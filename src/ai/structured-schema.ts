import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';

/**
 * The schema as the API's structured output takes it. The API rejects some keywords (minimum,
 * maximum, minLength, maxItems, pattern, ...) and needs every object closed; the SDK's transform
 * moves what it cannot enforce into descriptions. The reply is still validated against the full
 * schema, so nothing is lost. A free-form object (no properties, extra keys allowed) cannot be
 * closed without forcing `{}`, so such a schema is not sent at all.
 */
export function apiSchema(schema: Record<string, unknown>): { schema: Record<string, unknown> } | { reason: string } {
  const open = openObjectAt(schema, '');
  if (open !== undefined)
    return {
      reason: `the schema has a free-form object at ${open || '(root)'}, which structured output cannot express`,
    };
  try {
    return { schema: transformJSONSchema(schema) };
  } catch (error) {
    return { reason: `the schema cannot be sent as structured output (${errorText(error)})` };
  }
}

function openObjectAt(node: unknown, pointer: string): string | undefined {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) {
      const found = openObjectAt(item, `${pointer}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  const isObject = record.type === 'object' || (Array.isArray(record.type) && record.type.includes('object'));
  const properties = record.properties;
  const hasProperties = typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
  if (isObject && !hasProperties && record.additionalProperties !== false) return pointer;
  for (const [key, value] of Object.entries(record)) {
    const found = openObjectAt(value, `${pointer}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
