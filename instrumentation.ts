/** Next.js calls this once when the server starts: start the job worker there. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { serverWorker } = await import('./lib/jobs/server-worker');
    const worker = serverWorker();
    console.log(worker ? `Loupe job worker started (${worker.id})` : 'Loupe job worker off (LOUPE_WORKER=off)');
  }
}
