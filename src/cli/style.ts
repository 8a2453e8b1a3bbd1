/**
 * Colour for terminal output, as other CLIs do it: FORCE_COLOR (not "0") turns it on even when
 * piped, NO_COLOR (any non-empty value, https://no-color.org) turns it off, otherwise only a TTY
 * that is not TERM=dumb gets colour. Piped output and files stay plain text.
 */
export function colourEnabled(stream: { isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (force === '0' || force === 'false') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export type Paint = (colour: Colour, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled
    ? (colour, text) => `\u001b[${CODES[colour]}m${text}\u001b[${colour === 'bold' ? 22 : 39}m`
    : (_colour, text) => text;
}

/** The colour a status word is shown in. */
export function statusColour(status: string): Colour {
  if (status === 'success') return 'green';
  if (status === 'failure' || status === 'interrupted') return 'red';
  if (status === 'cancelled' || status === 'running') return 'yellow';
  return 'grey';
}
