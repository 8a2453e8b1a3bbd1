import module from 'node:module';

/**
 * First thing every bundle does: turn on Node's on-disk compile cache (Node ≥ 22.1; runners use
 * Node 24), so a second start in the same job — record-run's post step, the next emit — reuses
 * V8's compiled code for the shared chunks instead of parsing them again. Respects
 * NODE_DISABLE_COMPILE_CACHE; a no-op on Node 20.
 */
export function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: () => unknown }).enableCompileCache;
  try {
    enable?.();
  } catch {
    // A read-only temp directory only costs speed, never correctness.
  }
}
