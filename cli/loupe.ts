import { importCommand } from './import';
import { exportCommand } from './export';
import { regenerateCommand } from './regenerate';
import { workerCommand } from './worker';

const USAGE = `Usage: npm run loupe -- <command> [options]

Commands:
  import PATH [--dataset NAME] [--format gpt-edit] [--json]
      Import a dataset in the GPT-Image-Edit-1.5M layout (its root or any folder inside it).
  export --out DIR [--format gpt-edit] [--dataset NAME] [--status accepted] [--family F] [--task T] [--json]
      Write reviewed triplets in the GPT-Image-Edit layout.
  regenerate --budget-usd N [--dataset NAME] [--family F] [--task T] [--type original|rewrite|complex]
             [--status pending|accepted|rejected] [--kind regenerate|rewrite] [--dry-run] [--concurrency C] [--json]
      Estimate, then queue a batch of regenerations (or instruction rewrites) for the matching items and
      run it here until done or the budget is spent. --dry-run prints the estimate only.
  worker [--concurrency C]
      Run queued jobs until Ctrl-C (for a server started with LOUPE_WORKER=off).

Environment: LOUPE_DATA_DIR (default ./data) holds the database; OPENAI_API_KEY (and OPENAI_BASE_URL)
for regenerate and worker.`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  import: importCommand,
  export: exportCommand,
  regenerate: regenerateCommand,
  worker: workerCommand,
};

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
  return command(rest);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`loupe: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
