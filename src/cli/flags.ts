/** Reads one input by its action name (`redis-url`), so one zod schema validates action inputs and CLI flags. */
export type FlagReader = (name: string) => string | undefined;

/** Commander stores `--redis-url` as `redisUrl`: map the action's input names onto that. */
export function flagReader(options: Record<string, unknown>): FlagReader {
  return (name) => {
    const value = options[name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase())];
    return value === undefined ? undefined : String(value);
  };
}
