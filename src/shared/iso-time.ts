const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * `date.toISOString()`, built from the UTC fields. The first date-to-string call of a process
 * (toISOString, toUTCString, toJSON) makes V8 set up its time zone data: about 1 ms, in every
 * action step that journals or names a run (issue 15); the UTC getters do not. Years outside
 * 0–9999 (written ±YYYYYY) are left to toISOString.
 */
export function isoTime(date: Date = new Date()): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toISOString();
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}Z`
  );
}
