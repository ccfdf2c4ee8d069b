// Worker threads doing background work (heavy reads, signals, image recipes) yield the CPU to the
// server's own thread, which answers reviewers: on Linux a thread's nice value is its own
// (setpriority on its thread id). It covers what the thread runs itself (JavaScript, SQLite); sharp's
// libvips work runs on libuv's shared thread pool, which keeps the process's priority. Where this is
// not possible (not Linux, no /proc), the thread keeps the process's priority.
import fs from 'node:fs';
import os from 'node:os';

/** Lowers the calling thread's CPU priority to at least `nice` (10 by default); returns whether it could. */
export function lowerThreadPriority(nice = 10) {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    // Never raise it: a process started niced stays at least as nice.
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
