import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

/** A thread's nice value, from /proc (field 19 of its stat line). */
const niceOf = (tid: number | 'self') => {
  const file = tid === 'self' ? '/proc/self/stat' : `/proc/self/task/${tid}/stat`;
  return Number(fs.readFileSync(file, 'utf8').split(') ')[1].split(' ')[16]);
};

it.runIf(process.platform === 'linux')('lowers a worker thread priority and leaves the calling thread as it was', async () => {
  const entry = path.resolve('lib/process/background-thread.mjs');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(entry)}).then(({ lowerThreadPriority }) => {
       const lowered = lowerThreadPriority();
       const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
       parentPort.postMessage({ lowered, tid });
       setInterval(() => {}, 1000); // alive until terminated, so its /proc entry can be read
     });`,
    { eval: true },
  );
  try {
    const before = niceOf('self'); // the test runner's own thread: 0 unless started niced
    const { lowered, tid } = await new Promise<{ lowered: boolean; tid: number }>((resolve) => worker.once('message', resolve));
    expect(lowered).toBe(true);
    expect(niceOf(tid)).toBe(Math.max(10, before));
    expect(niceOf('self')).toBe(before);
  } finally {
    await worker.terminate();
  }
});
