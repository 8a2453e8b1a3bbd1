/**
 * run-prompt's defaults and the names its inputs accept, apart from run-prompt.ts so that reading
 * inputs (run-prompt's and promote-prompt's) does not load the prompt runner.
 */

export const DEFAULT_MODEL = 'claude-sonnet-5-5';
/** Large enough for real answers; a cut-off reply fails unless truncation is allowed. */
export const DEFAULT_MAX_TOKENS = 8192;

export const PROVIDERS = ['anthropic', 'bedrock', 'vertex', 'replay'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** `messages`: live calls. `message-batches`: a batch file through the Message Batches API (message-batches.ts). */
export const RUN_MODES = ['messages', 'message-batches'] as const;

/**
 * A Claude model id as the API spells it, or undefined for another vendor's model: `anthropic/`
 * dropped, and the dotted versions GitHub Models used (`claude-sonnet-4.5`, `claude-3.5-haiku`)
 * written with dashes (`claude-sonnet-4-5`).
 */
export function claudeModelId(requested: string): string | undefined {
  const bare = requested.trim().replace(/^anthropic\//, '');
  if (!bare.startsWith('claude')) return undefined;
  return bare.replace(/(\d)\.(\d)/g, '$1-$2');
}
