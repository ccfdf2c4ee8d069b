// Worker-thread entry for the recipe pool (lib/regenerate/recipe-pool.ts), as lib/signals/measure-worker.mjs:
// plain JavaScript so Node can start it as it is; the TypeScript loads through tsx's loader.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import { lowerThreadPriority } from '../process/background-thread.mjs';

register();
lowerThreadPriority(); // background work: the server's thread answers reviewers first
// The module's address comes from the pool: a bundled copy of this file is not beside it.
const { RECIPE_OPS } = await import(workerData.module);

parentPort.on('message', async ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, result: await RECIPE_OPS[op](...args) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error), name: error?.name } });
  }
});
