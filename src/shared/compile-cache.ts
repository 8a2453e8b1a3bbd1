/**
 * First thing every bundle does: turn on Node's on-disk compile cache (Node ≥ 22.1; runners use
 * Node 24), so a second start in the same job — record-run's post step, the next emit — reuses
 * V8's compiled code for the shared chunks instead of parsing them again. Respects
 * NODE_DISABLE_COMPILE_CACHE; a no-op on Node 20. node:module comes from getBuiltinModule, not an
 * import: an import made each entry load esbuild's helper chunk and an interop wrapper before the
 * cache was on (so they were compiled from source every start), for one function call.
 */
export function enableCompileCache(): void {
  try {
    const module = process.getBuiltinModule?.('node:module') as { enableCompileCache?: () => unknown } | undefined;
    module?.enableCompileCache?.();
  } catch {
    // A read-only temp directory only costs speed, never correctness.
  }
}
