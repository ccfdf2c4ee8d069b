/**
 * Test-only: LOUPE_TEST_PAGE_DELAY_MS pauses an import or export after each batch or page it
 * writes, so the fault tests (cli/faults) can kill it mid-run on a machine of any speed.
 * Synchronous (the progress callbacks are), and a no-op unless the variable is set.
 */
export function testPause(): void {
  const ms = Number(process.env.LOUPE_TEST_PAGE_DELAY_MS);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
