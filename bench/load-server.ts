/**
 * The production server for the load test: built when stale (waiting for someone else's
 * `next build` first), started with `next start` in its own process group, measured through
 * /proc (RSS and CPU of the whole process tree) and stopped by its own process id.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BUILD_SCRIPT = fileURLToPath(new URL('./load-build.ts', import.meta.url));

const log = (message: string) => process.stderr.write(`[bench:load] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Process ids whose command line is a `next build` (another session's build, say). */
function nextBuilds(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (/\bnext(\.js)? build\b/.test(cmdline)) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** Waits for any running `next build`, then builds if `.next` is missing or stale (buildIfNeeded). */
export async function ensureBuild(root: string) {
  let waited = false;
  for (let pids = nextBuilds(); pids.length; pids = nextBuilds()) {
    if (!waited) log(`waiting for a running next build (pid ${pids.join(', ')}) to finish...`);
    waited = true;
    await sleep(2000);
  }
  const start = performance.now();
  // buildIfNeeded (cli/build-if-needed.ts) in a child whose stdout is our stderr; the same
  // loader (tsx) as this process.
  const result = spawnSync(process.execPath, [...process.execArgv, BUILD_SCRIPT, root], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal})`);
  const seconds = (performance.now() - start) / 1000;
  if (seconds > 5) log(`next build took ${seconds.toFixed(0)} s`);
}

/** A TCP port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** RSS (bytes) and CPU seconds (user + system) of the server and its child processes. */
  usage(): { rssBytes: number; cpuSeconds: number };
  /** The server's stderr/stdout, for an error report. */
  output(): string;
  /** The event-loop delay of the server's Node processes since the previous call (bench/loop-delay.mjs). */
  loopDelay(): Promise<LoopDelay[]>;
}

/** One process's event-loop delay histogram over a window (ms). */
export interface LoopDelay {
  pid: number;
  argv: string[];
  at: number;
  samples: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

const LOOP_DELAY_SCRIPT = fileURLToPath(new URL('./loop-delay.mjs', import.meta.url));

/** Asks every process of the server's group for its histogram (SIGUSR2) and reads what they write. */
async function loopDelay(groupPid: number, dir: string): Promise<LoopDelay[]> {
  const asked = Date.now();
  process.kill(-groupPid, 'SIGUSR2');
  const pids = processTree(groupPid);
  const deadline = Date.now() + 5000;
  for (;;) {
    const found: LoopDelay[] = [];
    for (const pid of pids) {
      try {
        const snapshot = JSON.parse(fs.readFileSync(path.join(dir, `loop-${pid}.json`), 'utf8')) as LoopDelay;
        if (snapshot.at >= asked) found.push(snapshot);
      } catch {
        // not written (yet), or not a Node process
      }
    }
    if (found.length && (found.length === pids.length || Date.now() > deadline)) return found;
    if (Date.now() > deadline) throw new Error(`no event-loop figures from the server's processes (${pids.join(', ')})`);
    await sleep(20);
  }
}

/**
 * `extraEnv`: more variables for the server (bench:load's --server-env, e.g. a switch for a "before" run);
 * `cpuProfileDir`: write a V8 CPU profile of each of its Node processes there when it stops (--cpu-prof).
 */
export async function startServer(
  root: string,
  port: number,
  dataDir: string,
  extraEnv: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<Server> {
  const loopDir = path.join(dataDir, 'event-loop');
  fs.mkdirSync(loopDir, { recursive: true });
  const startArgs = ['start', '-p', String(port), '-H', '127.0.0.1'];
  // --cpu-prof is not allowed in NODE_OPTIONS: run next's bin with it (a forked server inherits execArgv).
  const [command, commandArgs] = cpuProfileDir
    ? [
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), ...startArgs],
      ]
    : [path.join(root, 'node_modules', '.bin', 'next'), startArgs];
  const child = spawn(command, commandArgs, {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(LOOP_DELAY_SCRIPT).href}`.trim(),
      LOUPE_BENCH_LOOP_DIR: loopDir,
      LOUPE_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: '1',
      LOUPE_SIGNIN_LIMIT: '0',
      LOUPE_WORKER: 'off',
      NODE_ENV: 'production',
      ...extraEnv,
    },
    detached: true, // its own process group, so stopping it also stops what it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: Server = {
    url,
    pid: child.pid!,
    stop: () => stopProcessGroup(child, exited),
    usage: () => treeUsage(child.pid!),
    output: () => output,
    loopDelay: () => loopDelay(child.pid!, loopDir),
  };
  try {
    await waitUntilAnswering(url, child, () => output);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/api/auth/ok`);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server did not answer at ${url} within 120 s:\n${output()}`);
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name); // the group led by the server we spawned
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timeout = sleep(10_000).then(() => 'timeout');
  if ((await Promise.race([exited.then(() => 'exited'), timeout])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
}

/** The process and its descendants, from /proc (ppid is field 4 of /proc/<pid>/stat). */
function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const ppid = Number(stat[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return tree;
}

/** Fields of /proc/<pid>/stat after the command name (state is [0], ppid [1], utime [11], stime [12]). */
function readStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100;

function treeUsage(rootPid: number): { rssBytes: number; cpuSeconds: number } {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of processTree(rootPid)) {
    const stat = readStat(pid);
    if (stat) cpuSeconds += (Number(stat[11]) + Number(stat[12])) / CLOCK_TICKS;
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) rssBytes += Number(rss[1]) * 1024;
    } catch {
      // ended meanwhile
    }
  }
  return { rssBytes, cpuSeconds };
}
