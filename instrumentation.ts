/** Next.js calls this once when the server starts: mark runs cut off by a crash, start the job worker, the search indexer and the offload worker. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { watchInterruptedRuns } = await import('./lib/runs/server');
    watchInterruptedRuns();
    const { serverWorker } = await import('./lib/jobs/server-worker');
    const worker = serverWorker();
    const [{ startSearchIndexer }, { getDb }] = await Promise.all([import('./lib/search/indexer'), import('./db')]);
    startSearchIndexer(getDb()); // builds the search index after imports, in the background (on the offload worker)
    const { warmOffload } = await import('./lib/offload/pool');
    warmOffload(['lib/team/stats.ts', 'lib/dashboard/offload.ts', 'lib/batches/offload.ts', 'lib/search/offload.ts']); // the Team page's, dashboard's, estimate's and search index's work
    console.log(worker ? `Loupe job worker started (${worker.id})` : 'Loupe job worker off (LOUPE_WORKER=off)');
  }
}
