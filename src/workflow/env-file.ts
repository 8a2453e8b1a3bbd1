// One parser for the runner's environment files: the local workflow runner and the test harness both read them.
/**
 * Parses the runner's environment-file format (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE):
 * `name=value` lines and `name<<DELIMITER` heredocs, later values overriding earlier ones.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const body: string[] = [];
      index++;
      while (index < lines.length && lines[index] !== delimiter) body.push(lines[index++] ?? '');
      if (index >= lines.length) throw new Error(`unterminated heredoc for '${name}' (delimiter ${delimiter})`);
      values[name] = body.join('\n');
    } else if (equals > 0) {
      values[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`malformed environment-file line: ${line}`);
    }
  }
  return values;
}
