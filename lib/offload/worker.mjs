// Worker-thread entry for lib/offload/pool.ts. Plain JavaScript so Node starts it as it is (also
// beside a Next build); the TypeScript tasks load through tsx's loader from the source tree.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { TASKS } = await import('./tasks.ts');
const { openDb } = await import('../../db/index.ts');

/** One connection per database file, kept: the tasks' caches live with it. */
const connections = new Map();
const connection = (file) => {
  let db = connections.get(file);
  if (!db) connections.set(file, (db = openDb(file)));
  return db;
};

parentPort.on('message', ({ id, file, task, args }) => {
  try {
    const result = TASKS[task](connection(file), ...args);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    const { message, code } = error instanceof Error ? error : { message: String(error), code: undefined };
    parentPort.postMessage({ id, ok: false, error: { message, code } });
  }
});
parentPort.postMessage({ ready: true });
