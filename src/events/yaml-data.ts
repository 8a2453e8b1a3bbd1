import { parse } from 'yaml';
import { InputError } from '../shared/errors.js';

/** YAML (or JSON) text to its value; an error names the input and the line inside it. */
export function parseYamlData(text: string, inputName: string): unknown {
  try {
    return parse(text, { uniqueKeys: true }) as unknown;
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    const first = String((error as Error).message ?? error).split('\n')[0];
    throw new InputError(inputName, `is not valid YAML or JSON${line ? ` (line ${line} of the input)` : ''}: ${first}`);
  }
}
