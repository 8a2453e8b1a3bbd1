/**
 * Limits that input readers check too, apart from the zod schemas of the prompt file and the lock
 * file, so that reading promote-prompt's inputs loads neither.
 */

/** How often the eval gate runs a case; each run is a real model call, so the count stays small. */
export const MAX_REPEAT = 100;

/** A channel name: letters, digits, . _ - starting with a letter or digit, at most 64. */
export const CHANNEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
