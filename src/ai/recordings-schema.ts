import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { RECORDINGS_FORMAT } from './provider.js';

/**
 * The recordings file in zod, loaded only when provider.ts's hand check refuses a file: zod's
 * first issue is what the error names (the path and what was expected).
 */

/** The fields replay reads from a recorded Messages API message; the rest is kept as recorded. */
const recordedMessageSchema = z.looseObject({
  model: z.string(),
  stop_reason: z.string().nullable(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
});

const recordingSchema = z.object({
  recordedAt: z.string(),
  model: z.string(),
  /** The last user turn, cut short: lets a reviewer see what a recording answers. */
  prompt: z.string(),
  message: recordedMessageSchema.transform((message) => message as unknown as Anthropic.Message),
});
export const recordingsFileSchema = z.object({
  format: z.literal(RECORDINGS_FORMAT),
  recordings: z.record(z.string(), recordingSchema),
});
