// Worker-thread entry for the signals pool (lib/signals/pool.ts). Plain JavaScript so Node can start
// it as it is; the TypeScript measures load through tsx's loader, the same code the calling thread runs.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import { lowerThreadPriority } from '../process/background-thread.mjs';

register();
lowerThreadPriority(); // background work: the server's thread answers reviewers first
// The module's address comes from the pool (lib/signals/measure.ts): a bundled copy of this file is not beside it.
const { SIGNAL_OPS } = await import(workerData.module);

parentPort.on('message', async ({ id, op, args }) => {
  try {
    const result = await SIGNAL_OPS[op](...args);
    // A prepared source's luma moves back rather than being copied.
    parentPort.postMessage({ id, result }, result?.luma ? [result.luma.data.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error), name: error?.name } });
  }
});
