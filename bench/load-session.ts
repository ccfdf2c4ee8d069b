/**
 * What a request's session lookup costs: `npx tsx bench/load-session.ts [--calls N] [--rounds R]`.
 *
 * One signed-in session on a fresh database; `currentUser` (lib/auth/session.ts, what every
 * route and page calls first) is timed N times per round, alternating rounds between
 * better-auth's own lookup (LOUPE_SESSION_LOOKUP=better-auth, the "before") and Loupe's
 * (the signed cookie checked with node:crypto, one prepared statement for the session and
 * user). CPU time per call is the figure that the machine's load does not distort; the
 * ratio is better-auth's over Loupe's, measured in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from './load-stats';

const { values: args } = parseArgs({
  options: { calls: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '4' } },
});
const CALLS = Number(args.calls);
const ROUNDS = Number(args.rounds);
const log = (message: string) => process.stderr.write(`[bench:load-session] ${message}\n`);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-session-'));
  process.env.LOUPE_DATA_DIR = dir;
  process.env.LOUPE_WORKER = 'off';
  process.env.LOUPE_SIGNIN_LIMIT = '0';
  try {
    const { getDb } = await import('@/db');
    const { addUser } = await import('@/lib/auth/users');
    const { getAuth } = await import('@/lib/auth/auth');
    const { currentUser } = await import('@/lib/auth/session');
    await addUser(getDb(), { username: 'bench-session', roles: ['annotator'], password: 'bench-session-password' });
    const origin = 'http://localhost:3000';
    const answer = await getAuth().handler(
      new Request(`${origin}/api/auth/sign-in/username`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ username: 'bench-session', password: 'bench-session-password' }),
      }),
    );
    const cookie = answer.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (answer.status !== 200 || !cookie) throw new Error(`sign-in answered ${answer.status}`);
    const headers = new Headers({ cookie, origin });

    const modes = { 'better-auth': 'better-auth', loupe: '' } as const;
    const results = new Map<string, { ms: number[]; cpuMicros: number }>(Object.keys(modes).map((m) => [m, { ms: [], cpuMicros: 0 }]));
    for (let round = 0; round < ROUNDS * 2; round++) {
      const mode = round % 2 === 0 ? 'better-auth' : 'loupe';
      process.env.LOUPE_SESSION_LOOKUP = modes[mode];
      if (!(await currentUser(headers))) throw new Error(`${mode}: the session was not found`); // warm, and check
      const result = results.get(mode)!;
      const cpu = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) {
        const start = performance.now();
        await currentUser(headers);
        result.ms.push(performance.now() - start);
      }
      const used = process.cpuUsage(cpu);
      result.cpuMicros += used.user + used.system;
      log(`round ${round + 1}: ${mode}, ${((used.user + used.system) / CALLS).toFixed(1)} µs CPU a call`);
    }
    const rows = [...results].map(([mode, { ms, cpuMicros }]) => ({ mode, cpuMicrosPerCall: cpuMicros / ms.length, ...summarize(ms) }));
    const [before, after] = rows;
    const f = (n: number, d = 3) => n.toFixed(d);
    const lines = [
      `# Session lookup — ${ROUNDS} rounds × ${CALLS} calls each way, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
      '',
      '| lookup | CPU µs a call | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.mode} | ${f(r.cpuMicrosPerCall, 1)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`),
      '',
      `**better-auth / Loupe: ${f(before.cpuMicrosPerCall / after.cpuMicrosPerCall, 1)}× the CPU a call, p50 ${f(before.p50 / after.p50, 1)}×**`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    getDb().$client.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
