// Worker-thread entry for lib/offload/pool.ts. Plain JavaScript so Node starts it as it is (also
// beside a Next build); the TypeScript tasks load through tsx's loader from the source tree.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import { lowerThreadPriority } from '../process/background-thread.mjs';

register();
lowerThreadPriority(); // background work: the server's thread answers reviewers first
const { openDb } = await import('../../db/index.ts');
const root = path.resolve(import.meta.dirname, '..', '..');
/** A task's module (a path from the repo root), imported once. */
const modules = new Map();
const load = (module) => {
  if (!modules.has(module)) modules.set(module, import(pathToFileURL(path.join(root, module)).href));
  return modules.get(module);
};

/** One connection per database file, kept: the tasks' caches live with it. */
const connections = new Map();
const connection = (file) => {
  let db = connections.get(file);
  if (!db) connections.set(file, (db = openDb(file)));
  return db;
};

parentPort.on('message', async ({ id, file, module, name, args, preload }) => {
  if (preload) {
    // Loading a task's modules through tsx takes seconds of CPU: done at server start, not by the first request.
    for (const each of preload) load(each).catch(() => {}); // a bad module is reported by the task that needs it
    return;
  }
  try {
    const run = (await load(module))[name];
    if (typeof run !== 'function') throw new Error(`${module} has no task ${name}`);
    const result = await run(connection(file), ...args); // a task may be async (the search index's build)
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    const { message, code } = error instanceof Error ? error : { message: String(error), code: undefined };
    parentPort.postMessage({ id, ok: false, error: { message, code } });
  }
});
parentPort.postMessage({ ready: true });
