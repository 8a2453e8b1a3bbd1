import type { PromptDefinition } from '../prompts/types.js';
import { InputError, UserError } from '../shared/errors.js';

/**
 * How many times the gate runs each case and how many runs must pass. The nearest setting wins,
 * as in test runners (a test's own option, then the command line, then the config file): a
 * case's `repeat`/`minPasses` in testData, then the `repeat`/`min-passes` inputs, then the prompt
 * file's top-level `repeat`/`minPasses`, then 1 of 1. A `repeat` without `minPasses` at the same
 * level means every run must pass, so raising `repeat` alone never loosens the gate.
 */

export interface GateOptions {
  /** Runs in flight at once, at most. */
  concurrency: number;
  /** The `repeat` input: runs per case for cases that set none. */
  repeat?: number | undefined;
  /** The `min-passes` input: runs that must pass, for cases that set no minPasses. */
  minPasses?: number | undefined;
}

export interface CasePlan {
  /** 1-based. */
  index: number;
  repeat: number;
  minPasses: number;
}

/** The default for cases that set neither: the inputs, then the file's top-level fields. */
function defaults(definition: PromptDefinition, options: GateOptions): { repeat: number; minPasses: number } {
  const fromInput = options.repeat !== undefined;
  const repeat = options.repeat ?? definition.repeat ?? 1;
  const minPasses = options.minPasses ?? (fromInput ? repeat : (definition.minPasses ?? repeat));
  if (minPasses > repeat) {
    const against = fromInput
      ? `input 'repeat' (${repeat})`
      : definition.repeat !== undefined
        ? `the repeat of ${definition.file ?? 'the prompt'} (${repeat})`
        : 'the default repeat of 1';
    const problem = `more than ${against}: a case cannot pass more runs than it has; set repeat to at least ${minPasses}`;
    // The input is named as typed, so the CLI can say --min-passes.
    if (options.minPasses !== undefined) throw new InputError('min-passes', `is ${minPasses}, ${problem}`);
    throw new UserError(`${definition.file ?? 'prompt'}: minPasses is ${minPasses}, ${problem}.`, {
      file: definition.file,
    });
  }
  return { repeat, minPasses };
}

/** Each case's runs and passes needed, checked before anything is paid for. */
export function casePlans(definition: PromptDefinition, options: GateOptions): CasePlan[] {
  const base = defaults(definition, options);
  return definition.testData.map((testCase, position) => {
    const repeat = testCase.repeat ?? base.repeat;
    const minPasses = testCase.minPasses ?? testCase.repeat ?? base.minPasses;
    if (minPasses > repeat) {
      const where = `${definition.file ?? 'prompt'}${testCase.line === undefined ? '' : `:${testCase.line}`}`;
      throw new UserError(
        `${where}: testData[${position}] minPasses is ${minPasses}, more than the ${repeat} run${repeat === 1 ? '' : 's'} it gets (repeat ${repeat}); set repeat on the case too.`,
        { file: definition.file, line: testCase.line },
      );
    }
    return { index: position + 1, repeat, minPasses };
  });
}
