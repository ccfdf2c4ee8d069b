import 'server-only';
import { getDb } from '@/db';
import { markInterruptedRuns, type Interrupted } from './interrupted';

/** A CLI import or export killed while the server runs is noticed within this long. */
const SWEEP_EVERY_MS = 60_000;

function sweep() {
  try {
    report(markInterruptedRuns(getDb()));
  } catch (error) {
    // A busy or full database: the next sweep tries again. Never take the server down for it.
    console.error(`loupe: checking for interrupted runs failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function report({ imports, exports, batches, jobs }: Interrupted) {
  if (jobs) console.log(`loupe: ${jobs} job(s) left running by a stopped worker queued again`);
  if (imports.length) console.log(`loupe: import run ${imports.join(', ')} marked interrupted (its process is gone)`);
  if (exports.length) console.log(`loupe: export ${exports.join(', ')} marked interrupted (its process is gone)`);
  if (batches.length) console.log(`loupe: marked batch ${batches.join(', ')} interrupted: the process queuing it stopped part-way`);
}

/** On server start and then every minute: runs left `running` by a process that died become interrupted. */
export function watchInterruptedRuns() {
  sweep();
  setInterval(sweep, SWEEP_EVERY_MS).unref();
}
