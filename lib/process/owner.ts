import fs from 'node:fs';
import os from 'node:os';

/**
 * Which process runs an import or an export (host and pid), and whether it still exists, so
 * a restart can tell a run cut off by a crash from one still going.
 */

export interface Owner {
  host: string;
  pid: number;
}

export function thisProcess(): Owner {
  return { host: os.hostname(), pid: process.pid };
}

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;
/** btime has whole seconds and may be adjusted by a second or two: allow for it. */
const START_SLACK_MS = 5_000;

/** When a process started (ms since the epoch), from /proc; undefined where /proc is missing. */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists on this host (EPERM: it does, owned by another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that started a run at `startedAt` is certainly gone: it ran on this
 * host and its pid is free, or the pid now belongs to a process started after the run did
 * (the pid was reused). False when it may be alive, or ran on another host (unknowable here).
 */
export function ownerGone(owner: { host: string | null; pid: number | null }, startedAt: number): boolean {
  if (owner.host !== os.hostname() || owner.pid === null) return false;
  if (!pidExists(owner.pid)) return true;
  // Also for our own pid: in a container every restart may get the same one.
  const started = processStartedAt(owner.pid);
  return started !== undefined && started > startedAt + START_SLACK_MS;
}
