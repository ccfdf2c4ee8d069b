import { importCommand } from './import';
import { exportCommand } from './export';
import { regenerateCommand } from './regenerate';
import { SIGNALS_USAGE, signalsCommand } from './signals';
import { USER_USAGE, userCommand } from './user';
import { workerCommand } from './worker';
import { getDb } from '@/db';
import { diskFullMessage, isDiskFull } from '@/db/errors';
import { interruptOwnRuns, reportInterrupted } from './runs';

const USAGE = `Usage: npm run loupe -- <command> [options]

Commands:
  import PATH… [--dataset NAME] [--format F] [--json]
         [--source-col C --edited-col C --instruction-col C --id-col C --extra-cols A,B]   (jsonl, csv)
      Import a dataset; the format is detected when --format is omitted. Formats: gpt-edit (the
      GPT-Image-Edit-1.5M layout, its root or any folder inside it), gpt-edit-training (training_json
      and data.txt), omniedit-parquet, hqedit-parquet, ultraedit-parquet, jsonl, csv, gpt-edit-tarball (the
      release's split tarballs NAME.tar.gz.partNNN or NAME.tar.gz, read without extracting: their folder,
      or the parts themselves as several PATHs; metadata inside them or beside them).
  export --out DIR [--format F] [--dataset NAME] [--status accepted|rejected|pending|all] [--family F] [--task T] [--type T]
         [--reviewer R] [--from DATE] [--to DATE] [--text T] [--origin dataset|regenerated]
         [--score NAME --score-min X --score-max Y] [--shard-size-mb N] [--need-weight] [--json]
      Write reviewed triplets. Formats: gpt-edit (default), gpt-image-edit-training, jsonl, parquet,
      webdataset. --shard-size-mb for parquet and webdataset; --need-weight for gpt-image-edit-training.
  export --resume ID | --clean ID [--json]
      An export cut off part-way (shown as interrupted): write it again into its folder with the same
      format, selection and options, or delete its partial output (only its own files in its folder).
  regenerate --budget-usd N [--dataset NAME] [--family F] [--task T] [--type original|rewrite|complex]
             [--status pending|accepted|rejected] [--reviewer R] [--from DATE] [--to DATE] [--text T]
             [--origin dataset|regenerated] [--kind regenerate|rewrite] [--dry-run] [--concurrency C] [--json]
      Estimate, then queue a batch of regenerations (or instruction rewrites) for the matching items and
      run it here until done or the budget is spent. --dry-run prints the estimate only.
${SIGNALS_USAGE}
  worker [--concurrency C]
      Run queued jobs until Ctrl-C (for a server started with LOUPE_WORKER=off): signals jobs always,
      regenerations and rewrites when OPENAI_API_KEY is set.
${USER_USAGE}

Environment: LOUPE_DATA_DIR (default ./data) holds the database; OPENAI_API_KEY (and OPENAI_BASE_URL)
for regenerate and worker.`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  import: importCommand,
  export: exportCommand,
  regenerate: regenerateCommand,
  signals: signalsCommand,
  worker: workerCommand,
  user: userCommand,
};

/** Commands that handle SIGINT / SIGTERM themselves (the worker lets running jobs finish). */
const HANDLES_OWN_SIGNALS = new Set(['worker', 'regenerate', 'signals']);

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command: ${name}\n\n${USAGE}\n`);
    return 2;
  }
  // Runs left `running` by a process that died (kill -9, power loss) are marked interrupted first.
  // Never in the way: on a full disk or a busy database the command still runs (export --clean frees space).
  try {
    reportInterrupted(getDb());
  } catch (error) {
    process.stderr.write(
      `loupe: could not check for interrupted runs (${error instanceof Error ? error.message : String(error)}); going on\n`,
    );
  }
  if (!HANDLES_OWN_SIGNALS.has(name)) stopOnSignals(name);
  return command(rest);
}

/**
 * SIGINT / SIGTERM stop an import or export at once; its run is marked interrupted (not left
 * running). Synchronous database work is never cut in half: a handler runs between tasks.
 */
function stopOnSignals(name: string) {
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
  ] as const) {
    process.once(signal, () => {
      let marked = 0;
      try {
        marked = interruptOwnRuns(getDb());
      } catch {
        // a busy or full database: the next start marks the run
      }
      process.stderr.write(`\nloupe ${name}: stopped by ${signal}${marked ? ` (${marked} marked interrupted)` : ''}\n`);
      process.exit(128 + number);
    });
  }
  // Under npm the parent may die without passing the signal on (kill -9): do not go on alone.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
    }, 1000).unref();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    try {
      interruptOwnRuns(getDb()); // this process's import or export ends here, unfinished
    } catch {
      // a full disk refuses this write too; the next start marks the run
    }
    const message = isDiskFull(error) ? diskFullMessage(error) : error instanceof Error ? error.message : String(error);
    process.stderr.write(`loupe: ${message}\n`);
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    process.exit(isDiskFull(error) ? 28 : 1); // 28: ENOSPC's number, for scripts
  },
);
