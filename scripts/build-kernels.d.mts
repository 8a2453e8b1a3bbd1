// Types for test/build/, which checks the kernel planning on small import graphs.
interface Input {
  bytes: number;
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}
export interface Metafile {
  inputs: Record<string, Input>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}
export function startGroups(
  metafile: Metafile,
  roles: { entries: string[]; actionEntries: string[] },
): { kernels: string[][]; imports: Map<string, number[]> };
