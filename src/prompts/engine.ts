import type * as PromptSchemaModule from './prompt-schemas.js';
import type * as SchemaEngineModule from './schema-engine.js';
import type * as FullYamlModule from './yaml-full.js';

/**
 * Prompts, schemas and inputs are read synchronously (the prompt-file reader is), but three of
 * the libraries reading them are too big to load on every start: ajv (~130 KB with its
 * meta-schemas), classic zod for the prompt-file schemas (~200 KB, ~30 ms) and `yaml` (~115 KB).
 * A prompt of the common shape needs none of them (prompt-file-fast.ts, light-yaml.ts). So
 * reading that needs a part before it is loaded throws EngineNeeded, and the async entry points
 * that read prompts run their synchronous reading through withSchemaEngine(), which loads the
 * missing part and reads again. Reading has no side effects.
 */

type Part = 'ajv' | 'zod' | 'yaml';

let ajv: typeof SchemaEngineModule | undefined;
let zod: typeof PromptSchemaModule | undefined;
let yaml: typeof FullYamlModule | undefined;

export class SchemaEngineNeeded extends Error {
  constructor(readonly part: Part) {
    super(`internal: ${part} was needed before loadSchemaEngine(); read through withSchemaEngine()`);
    this.name = 'SchemaEngineNeeded';
  }
}

async function loadPart(part: Part): Promise<void> {
  if (part === 'ajv') ajv ??= await import('./schema-engine.js');
  else if (part === 'zod') zod ??= await import('./prompt-schemas.js');
  else yaml ??= await import('./yaml-full.js');
}

/** Every part, for paths that read many prompts (promote-prompt, the live batch step) and tests. */
export async function loadSchemaEngine(): Promise<void> {
  await Promise.all([loadPart('ajv'), loadPart('zod'), loadPart('yaml')]);
}

/** Runs `read`; while it meets a part that is not loaded, loads it and runs it again. */
export async function withSchemaEngine<T>(read: () => T): Promise<T> {
  for (;;) {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof SchemaEngineNeeded)) throw error;
      await loadPart(error.part);
    }
  }
}

export function ajvPart(): typeof SchemaEngineModule {
  if (!ajv) throw new SchemaEngineNeeded('ajv');
  return ajv;
}

/** The zod schemas of prompt files. */
export function promptSchemas(): typeof PromptSchemaModule {
  if (!zod) throw new SchemaEngineNeeded('zod');
  return zod;
}

/** The `yaml` library, for text outside light-yaml.ts's subset (and every error). */
export function fullYaml(): typeof FullYamlModule {
  if (!yaml) throw new SchemaEngineNeeded('yaml');
  return yaml;
}
