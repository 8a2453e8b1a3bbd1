import type Anthropic from '@anthropic-ai/sdk';

/**
 * Turns a response's content into request content. Text and tool_use are rebuilt field by
 * field so nothing response-only (such as `citations: null`) is echoed back; every other block
 * (thinking, redacted_thinking, server tool blocks) must go back exactly as received, signatures
 * included, which the API documents for pause_turn and tool-use continuations.
 */
export function toContentParams(content: readonly Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  return content.map((block): Anthropic.ContentBlockParam => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'tool_use':
        return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
      default:
        // Response and request shapes of these blocks are the same wire format; the SDK types
        // them separately only because responses carry nullable fields requests may omit.
        return block;
    }
  });
}

/**
 * Appends the assistant's reply. A reply that continues a paused turn (the conversation
 * already ends with an assistant message) is merged into that message, keeping one turn.
 */
export function appendAssistant(
  messages: readonly Anthropic.MessageParam[],
  message: Anthropic.Message,
): Anthropic.MessageParam[] {
  const content = toContentParams(message.content);
  const last = messages[messages.length - 1];
  if (last !== undefined && last.role === 'assistant') {
    const previous: Anthropic.ContentBlockParam[] =
      typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
    return [...messages.slice(0, -1), { role: 'assistant', content: [...previous, ...content] }];
  }
  return [...messages, { role: 'assistant', content }];
}

/** Rough token count of request content not yet measured by the API (about 4 chars a token). */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.ceil(text.length / 4);
}
