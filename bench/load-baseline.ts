/**
 * The load test's baseline: the library calls the two API routes make (claimQueue for
 * /api/queue/claim; recordVerdict and queueProgress for /api/verdicts), in-process with no
 * HTTP, session check or JSON, single-threaded, round-robin over the same number of review
 * pages, on a connection configured as the server's (getDb: WAL, checkpoints on a timer).
 */
import { checkpointOnTimer, openDb } from '@/db';
import { releaseLeases, queueProgress } from '@/lib/review/queue';
import { claimQueue } from '@/lib/review/queue-view';
import { recordVerdict } from '@/lib/review/verdicts';
import { decide, rng, summarize, type LatencySummary } from './load-stats';

export interface Baseline {
  seconds: number;
  pages: number;
  cycles: number;
  cyclesPerSecond: number;
  /** CPU time of this process per cycle (robust to other load on the machine, unlike cycles/s). */
  cpuMsPerCycle: number;
  claim: LatencySummary;
  verdict: LatencySummary;
}

/** Yields to the event loop this often, so the checkpoint timer runs as it does in the server. */
const YIELD_EVERY_MS = 20;

/**
 * Runs for `seconds`, or until `maxCycles` items are decided (so that on a small dataset the
 * baseline does not use up the queue the HTTP run needs).
 */
export async function inProcessBaseline(
  file: string,
  datasetId: number,
  pages: number,
  seconds: number,
  maxCycles: number,
): Promise<Baseline> {
  const db = checkpointOnTimer(openDb(file));
  const filter = { datasetId };
  const who = Array.from({ length: pages }, (_, i) => ({ holder: `baseline-page-${i}`, reviewer: `baseline-reviewer-${i}` }));
  const random = rng(7);
  const claimMs: number[] = [];
  const verdictMs: number[] = [];
  let cycles = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = start + seconds * 1000;
  let lastYield = start;
  try {
    for (let n = 0; performance.now() < deadline && cycles < maxCycles; n++) {
      const page = who[n % pages];
      const t0 = performance.now();
      const { items } = claimQueue(db, filter, page, 4);
      const t1 = performance.now();
      claimMs.push(t1 - t0);
      if (!items.length) break;
      const { decision, reasons } = decide(random);
      recordVerdict(db, page, { itemId: items[0].id, decision, reasons, msSpent: 1 });
      queueProgress(db, filter);
      const t2 = performance.now();
      verdictMs.push(t2 - t1);
      cycles++;
      if (t2 - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const elapsed = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    for (const page of who) releaseLeases(db, page.holder);
    return {
      seconds: elapsed,
      pages,
      cycles,
      cyclesPerSecond: cycles / elapsed,
      cpuMsPerCycle: (cpu.user + cpu.system) / 1000 / cycles,
      claim: summarize(claimMs),
      verdict: summarize(verdictMs),
    };
  } finally {
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    db.$client.close();
  }
}
