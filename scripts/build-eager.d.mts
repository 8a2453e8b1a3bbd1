export function eagerFunctions(code: string): string;
export function startFiles(
  metafile: { outputs: Record<string, { imports: { path: string; kind: string }[] }> },
  actionEntryOutputs: string[],
): Set<string>;
