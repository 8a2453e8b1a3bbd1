/** Where in parsed data: keys and list indexes, outermost first. */
export type DataPath = readonly PropertyKey[];

export interface YamlProblem {
  line: number;
  message: string;
}

/** A parsed YAML text: its value, and the file line of a data path (light-yaml.ts or yaml-full.ts). */
export interface YamlTree {
  toJS(): unknown;
  /**
   * The line of the deepest node on `path` that exists. Map entries report their key's line, so
   * a nested mapping or block scalar points at the `key:` line rather than the line after it.
   */
  lineOf(path: DataPath): number;
  /**
   * The line holding the first character of the string at `path`, when the string's lines are
   * the file's lines one for one: a block literal (`|`) or a scalar on a single line. Folded,
   * multi-line plain and multi-line quoted scalars re-flow their lines, so they get undefined.
   */
  contentLineOf(path: DataPath): number | undefined;
}

export type YamlParse = { tree: YamlTree } | { error: YamlProblem };

/** A path segment as a sequence index (`2` or `'2'`); NaN, which finds no item, for anything else. */
export function itemIndex(segment: PropertyKey): number {
  return typeof segment === 'number' ? segment : /^\d+$/.test(String(segment)) ? Number(segment) : Number.NaN;
}
