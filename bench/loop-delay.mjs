// Preloaded into the load test's server (NODE_OPTIONS=--import) to measure its event-loop delay:
// on SIGUSR2 it writes the delay histogram since the previous signal to
// $LOUPE_BENCH_LOOP_DIR/loop-<pid>.json and starts a new one. Worker threads are left alone.
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.LOUPE_BENCH_LOOP_DIR;
if (dir && isMainThread) {
  // 2 ms sampling: a block shows as the lateness of the next sample.
  const histogram = monitorEventLoopDelay({ resolution: 2 });
  histogram.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => ns / 1e6;
    const snapshot = {
      pid: process.pid,
      argv: process.argv.slice(1, 3),
      at: Date.now(),
      samples: histogram.count,
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    };
    histogram.reset();
    const file = path.join(dir, `loop-${process.pid}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    fs.renameSync(`${file}.tmp`, file);
  });
}
