import { actionsIo } from '../io/actions-io.js';
import type { StepIo } from '../io/io.js';
import type { PromoteResult, PromoteSpec } from '../promotion/promote.js';
import { UserError } from '../shared/errors.js';
import { promotePromptSpec } from './promote-prompt-inputs.js';
import { actionSpec } from './action-spec.js';
import { setActionOutputs } from './outputs.js';

export function setPromoteOutputs(io: StepIo, result: PromoteResult): void {
  setActionOutputs(io, 'promote-prompt', {
    version: result.version,
    'content-hash': result.contentHash,
    'previous-version': result.previousVersion,
    'pass-rate': result.passRate === undefined ? '' : String(Math.round(result.passRate * 10_000) / 10_000),
    promoted: String(result.promoted),
    refused: String(result.refused),
    'pull-request-url': result.pullRequestUrl ?? '',
    'pull-request-number': result.pullRequestNumber === undefined ? '' : String(result.pullRequestNumber),
    'committed-sha': result.committedSha ?? '',
  });
}

/**
 * One journaled promotion: the action and the CLI both run this. A refusal by the eval gate
 * fails the step, after the outputs and the report are written.
 */
export async function promotePromptStep(io: StepIo, spec: PromoteSpec): Promise<PromoteResult> {
  // The journaled step and the promotion core (lock files, evals, GitHub) load once the inputs
  // are known to be valid: a step that fails on its inputs loads neither.
  const [{ inJournaledStep }, { promotePrompt }] = await Promise.all([
    import('../runs/step.js'),
    import('../promotion/promote.js'),
  ]);
  return inJournaledStep(
    `promote-prompt ${spec.promptFile} → ${spec.channel}`,
    'promote-prompt',
    async (step) => {
      const result = await promotePrompt(spec, io, step);
      setPromoteOutputs(io, result);
      await io.appendSummary(result.report);
      if (result.refused) throw new UserError(result.reason ?? 'Promotion refused by the eval gate.');
      return result;
    },
    (result) =>
      result.reason ??
      `${result.version} → ${spec.channel}${result.pullRequestUrl ? ` (${result.pullRequestUrl})` : ''}`,
  );
}

export async function promotePromptMain(): Promise<void> {
  await promotePromptStep(actionsIo, actionSpec(promotePromptSpec));
}
