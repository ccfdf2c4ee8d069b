import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Child processes for the fault tests: real CLI runs that can be killed mid-way. */

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node --import tsx <args>` from the repo root with its own data folder (one process, no tsx wrapper). */
export function start(args: string[], dataDir: string, env: Record<string, string> = {}, limits: { fileSizeBytes?: number } = {}): Started {
  const node = [process.execPath, '--import', 'tsx', ...args];
  // A file-size limit (RLIMIT_FSIZE): a write past it fails with EFBIG once SIGXFSZ is ignored.
  const command =
    limits.fileSizeBytes === undefined ? node : ['prlimit', `--fsize=${limits.fileSizeBytes}:`, node[0], IGNORE_SIGXFSZ, ...node.slice(1)];
  const child = spawn(command[0], command.slice(1), {
    cwd: REPO,
    env: { ...process.env, LOUPE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // 'close', not 'exit': only then has all of the child's output been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

const IGNORE_SIGXFSZ = `--import=data:text/javascript,process.on('SIGXFSZ',()=>{})`;

/** Runs to the end: exit code and output. */
export async function run(args: string[], dataDir: string, env: Record<string, string> = {}, limits: { fileSizeBytes?: number } = {}) {
  const started = start(args, dataDir, env, limits);
  const { code } = await started.exited;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

/** Polls `check` until it returns something truthy (or throws after `ms`). */
export async function waitFor<T>(check: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a process id is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
