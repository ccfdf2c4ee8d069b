/**
 * Load test: `npm run bench:load -- [--items N] [--reviewers R] [--seconds S] [--think-ms T]
 *   [--port P] [--baseline-seconds B] [--keep] [--json]`.
 *
 * R simulated reviewers claim and decide items over HTTP against the production server
 * (`next start`) for S seconds, on a dataset of N items (default 1.5M, built once and cached
 * under the OS temp folder, copied afresh for every run). Reports claims/s and verdicts/s,
 * latency percentiles, answers by status, and three correctness checks that must be 0:
 * double claims (two reviewers handed the same item), lost verdicts (an acknowledged verdict
 * missing from the database) and 5xx answers. The baseline is the same library calls
 * in-process on the same database (no HTTP, single-threaded): the report gives HTTP
 * throughput as a fraction of it. Exits 1 when a check fails.
 *
 * Markdown on stdout (or one JSON object with --json), JSON also in bench/out/load-<date>.json,
 * progress on stderr. See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inProcessBaseline, type Baseline } from './load-baseline';
import { BENCH_ROOT, copyForRun, LEAD_NAME, reviewerName, REVIEWER_PASSWORD, templateDb } from './load-db';
import { Client, runReviewers, signIn, STATIC_PATH, type RouteStats } from './load-reviewers';
import { ensureBuild, freePort, startServer, type LoopDelay, type Server } from './load-server';
import { summarize, type LatencySummary } from './load-stats';
import { verifyDb, type Verification } from './load-verify';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'bench', 'out');

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1500000' },
    reviewers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'think-ms': { type: 'string', default: '0' },
    port: { type: 'string', default: '0' },
    'baseline-seconds': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'server-env': { type: 'string', multiple: true, default: [] },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'Usage: npm run bench:load -- [options]\n' +
      '  --items N             items in the dataset (default 1,500,000; built once, cached in the temp folder)\n' +
      '  --reviewers R         concurrent simulated reviewers (default 50)\n' +
      '  --seconds S           duration of the HTTP run (default 60)\n' +
      '  --think-ms T          mean pause between a claim answer and the verdict, 0.5-1.5x, reviewers out of step (default 0: full stress)\n' +
      '  --port P              server port (default: a free one)\n' +
      '  --baseline-seconds B  duration of the in-process baseline (default 5)\n' +
      '  --keep                keep the run database (in the temp folder)\n' +
      '  --skip-build          use the production build in .next as it is, even if sources are newer\n' +
      '  --json                print one JSON object on stdout instead of the markdown report\n' +
      '  --server-env K=V      set a variable for the server (repeatable), e.g. LOUPE_SESSION_LOOKUP=better-auth\n' +
      '  --cpu-prof DIR        write CPU profiles of the server processes into DIR when it stops\n',
  );
  process.exit(0);
}

function count(name: keyof typeof args, min: number): number {
  const text = String(args[name]);
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${text})`);
  return n;
}

const ITEMS = count('items', 12);
const REVIEWERS = count('reviewers', 1);
const SECONDS = count('seconds', 1);
const THINK_MS = count('think-ms', 0);
const PORT = count('port', 0);
const BASELINE_SECONDS = count('baseline-seconds', 1);
const REVIEWER_PREFIX = 'bench-reviewer-';
const SERVER_ENV = Object.fromEntries(
  (args['server-env'] ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--server-env takes NAME=VALUE (got ${pair})`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }),
);

const log = (message: string) => process.stderr.write(`[bench:load] ${message}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface RouteReport {
  answers: number;
  ok: number;
  perSecond: number;
  latencyMs: LatencySummary;
  byStatus: Record<string, number>;
  clientErrors: number;
  serverErrors: number;
  networkErrors: number;
  errorSamples: string[];
  slowest: { ms: number; sentAtSeconds: number };
}

function routeReport(stats: RouteStats, seconds: number): RouteReport {
  const ok = stats.byStatus.get(200) ?? 0;
  return {
    answers: stats.ms.length,
    ok,
    perSecond: ok / seconds,
    latencyMs: summarize(stats.ms),
    byStatus: Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n])),
    clientErrors: stats.count(400, 500),
    serverErrors: stats.count(500, 600),
    networkErrors: stats.networkErrors,
    errorSamples: stats.errorSamples,
    slowest: { ms: stats.slowest.ms, sentAtSeconds: stats.slowest.sentAt / 1000 },
  };
}

interface HeavyRead {
  what: string;
  status: number;
  ms: number;
  /** The serving process's event-loop delay while it loaded (the busiest of the group's processes). */
  loop: LoopDelay | null;
}

interface Report {
  date: string;
  setup: {
    items: number;
    reviewers: number;
    seconds: number;
    thinkMs: number;
    /** --server-env variables the server ran with. */
    serverEnv: Record<string, string>;
    dbBytes: number;
    dbBuildSeconds: number;
    machine: { cpus: number; cpuModel: string; memoryGiB: number; loadBefore: string[]; loadAfter: string[]; node: string };
  };
  http: {
    seconds: number;
    claim: RouteReport;
    verdict: RouteReport;
    /** GET of a static file by the same clients after each verdict. */
    staticFile: RouteReport;
    /** Claim and verdict p99 / the static file's p99 (goal under a team: at most 2). */
    p99OverStatic: { claim: number; verdict: number };
    emptyClaims: number;
    signInSeconds: number;
  };
  /** Heavy reads opened by a lead halfway through the run, each with the server's event-loop delay over its duration. */
  heavyReads: HeavyRead[];
  server: { rssPeakMiB: number; rssEndMiB: number; cpuSeconds: number; coresBusy: number; cpuMsPerCycle: number };
  client: { cpuSeconds: number; coresBusy: number };
  /** Run before the server starts and again after it stopped (the machine is shared). */
  baseline: { before: Baseline; after: Baseline; cyclesPerSecond: number; cpuMsPerCycle: number };
  /** HTTP verdicts/s (= claim-and-decide cycles/s) as a fraction of the in-process cycles/s. */
  ratio: number;
  /** The same per CPU second: in-process CPU per cycle / the server's CPU per cycle. */
  cpuRatio: number;
  checks: {
    doubleClaims: number;
    doubleClaimsByLedger: number;
    ambiguousOverlaps: number;
    itemsWithTwoAckedVerdicts: number;
    droppedHolds: number;
    doubleClaimExamples: string[];
    serverErrors: number;
    networkErrors: number;
    verification: Verification;
    acknowledgedNotInDb: number;
  };
  pass: boolean;
}

async function main() {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2));
  log(`${fmt(ITEMS)} items, ${REVIEWERS} reviewers, ${SECONDS} s, think ${THINK_MS} ms`);
  const template = await templateDb(ITEMS, REVIEWERS);
  if (!args['skip-build']) await ensureBuild(ROOT);
  else if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) throw new Error('--skip-build: there is no build in .next');

  const dataDir = path.join(BENCH_ROOT, `run-${ITEMS}`);
  log(`copying the database to ${dataDir}...`);
  const dbFile = copyForRun(template, dataDir);
  const dbBytes = fs.statSync(dbFile).size;

  const runBaseline = async (when: string) => {
    log(`baseline (${when}): claimQueue + recordVerdict + queueProgress in-process for ${BASELINE_SECONDS} s...`);
    // At most a quarter of the items each time, so the HTTP run never finds an empty queue.
    const result = await inProcessBaseline(dbFile, template.datasetId, REVIEWERS, BASELINE_SECONDS, Math.floor(ITEMS / 4));
    log(`baseline (${when}): ${fmt(result.cyclesPerSecond)} cycles/s, ${result.cpuMsPerCycle.toFixed(2)} ms CPU per cycle`);
    return result;
  };
  const baselineBefore = await runBaseline('before');

  const port = PORT || (await freePort());
  log(`starting next start on port ${port}...`);
  const cpuProfileDir = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
  if (cpuProfileDir) fs.mkdirSync(cpuProfileDir, { recursive: true });
  const server = await startServer(ROOT, port, dataDir, SERVER_ENV, cpuProfileDir);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the server`);
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const client = new Client(server.url);
  let load: Awaited<ReturnType<typeof runReviewers>>;
  let signInSeconds: number;
  let serverUsage: Report['server'];
  let clientCpu: number;
  let heavy: HeavyRead[];
  try {
    const usernames = Array.from({ length: REVIEWERS }, (_, i) => reviewerName(i));
    log(`signing in ${REVIEWERS} reviewers...`);
    const signInStart = performance.now();
    const cookies: string[] = [];
    for (let i = 0; i < usernames.length; i += 4) {
      cookies.push(...(await Promise.all(usernames.slice(i, i + 4).map((u) => signIn(client, u, REVIEWER_PASSWORD)))));
    }
    const leadCookie = await signIn(client, LEAD_NAME, REVIEWER_PASSWORD);
    signInSeconds = (performance.now() - signInStart) / 1000;
    const runId = Date.now().toString(36);
    const holders = cookies.map((_, i) => `bench-page-${runId}-${i}`);
    await warmUp(client, cookies, holders, template.datasetId);

    log(`running ${REVIEWERS} reviewers for ${SECONDS} s...`);
    const usage0 = server.usage();
    const cpu0 = process.cpuUsage();
    let rssPeak = usage0.rssBytes;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, server.usage().rssBytes)), 1000);
    const running = runReviewers({
      client,
      datasetId: template.datasetId,
      cookies,
      usernames,
      seconds: SECONDS,
      thinkMs: THINK_MS,
      runId,
      progress: (verdicts, seconds) => log(`  ${fmt(verdicts)} verdicts in ${seconds.toFixed(0)} s`),
    });
    const reads = (async () => {
      await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 2));
      return heavyReads(client, server, leadCookie, template.datasetId);
    })();
    load = await running;
    heavy = await reads;
    clearInterval(sampler);
    const usage1 = server.usage();
    const cpu = process.cpuUsage(cpu0);
    clientCpu = (cpu.user + cpu.system) / 1e6;
    rssPeak = Math.max(rssPeak, usage1.rssBytes);
    const cpuSeconds = usage1.cpuSeconds - usage0.cpuSeconds;
    serverUsage = {
      rssPeakMiB: rssPeak / 2 ** 20,
      rssEndMiB: usage1.rssBytes / 2 ** 20,
      cpuSeconds,
      coresBusy: cpuSeconds / load.seconds,
      cpuMsPerCycle: (cpuSeconds * 1000) / Math.max(1, load.verdict.byStatus.get(200) ?? 0),
    };
    // Give back the pages' leases (not timed), as closing the review pages would.
    await Promise.all(cookies.map((cookie, i) => client.post('/api/queue/release', { holder: holders[i] }, cookie).catch(() => undefined)));
  } catch (error) {
    process.stderr.write(`server output (last lines):\n${server.output().split('\n').slice(-30).join('\n')}\n`);
    throw error;
  } finally {
    client.close();
    log('stopping the server...');
    await server.stop();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }

  log('checking the database...');
  const verification = verifyDb(dbFile, template.datasetId, load.acked, REVIEWER_PREFIX);
  const baselineAfter = await runBaseline('after');
  const baseline = {
    before: baselineBefore,
    after: baselineAfter,
    cyclesPerSecond: (baselineBefore.cyclesPerSecond + baselineAfter.cyclesPerSecond) / 2,
    cpuMsPerCycle: (baselineBefore.cpuMsPerCycle + baselineAfter.cpuMsPerCycle) / 2,
  };
  const claim = routeReport(load.claim, load.seconds);
  const verdict = routeReport(load.verdict, load.seconds);
  const staticFile = routeReport(load.staticFile, load.seconds);
  const doubleClaims = load.ledger.doubleClaims + load.itemsWithTwoAckedVerdicts + verification.itemsWithTwoVerdictsInDb;
  const report: Report = {
    date: new Date().toISOString(),
    setup: {
      items: ITEMS,
      reviewers: REVIEWERS,
      seconds: SECONDS,
      thinkMs: THINK_MS,
      serverEnv: SERVER_ENV,
      dbBytes,
      dbBuildSeconds: template.buildSeconds,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadBefore,
        loadAfter: os.loadavg().map((l) => l.toFixed(2)),
        node: process.versions.node,
      },
    },
    http: {
      seconds: load.seconds,
      claim,
      verdict,
      staticFile,
      p99OverStatic: { claim: claim.latencyMs.p99 / staticFile.latencyMs.p99, verdict: verdict.latencyMs.p99 / staticFile.latencyMs.p99 },
      emptyClaims: load.emptyClaims,
      signInSeconds,
    },
    heavyReads: heavy,
    server: serverUsage,
    client: { cpuSeconds: clientCpu, coresBusy: clientCpu / load.seconds },
    baseline,
    ratio: verdict.perSecond / baseline.cyclesPerSecond,
    cpuRatio: baseline.cpuMsPerCycle / serverUsage.cpuMsPerCycle,
    checks: {
      doubleClaims,
      doubleClaimsByLedger: load.ledger.doubleClaims,
      ambiguousOverlaps: load.ledger.ambiguousOverlaps,
      itemsWithTwoAckedVerdicts: load.itemsWithTwoAckedVerdicts,
      droppedHolds: load.ledger.dropped,
      doubleClaimExamples: load.ledger.examples,
      serverErrors: claim.serverErrors + verdict.serverErrors + staticFile.serverErrors,
      networkErrors: claim.networkErrors + verdict.networkErrors + staticFile.networkErrors,
      verification,
      acknowledgedNotInDb: verification.verdictsInDb - (load.acked.length - verification.lostVerdicts),
    },
    pass: false,
  };
  report.pass =
    report.checks.doubleClaims === 0 &&
    verification.lostVerdicts === 0 &&
    report.checks.serverErrors === 0 &&
    report.checks.networkErrors === 0 &&
    verification.itemCountMismatches === 0;

  fs.mkdirSync(OUT_DIR, { recursive: true });
  const jsonFile = path.join(OUT_DIR, `load-${report.date.replace(/:/g, '-').replace(/\..*/, '')}.json`);
  fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(args.json ? JSON.stringify(report) + '\n' : markdown(report));
  log(`report written to ${path.relative(process.cwd(), jsonFile)}`);
  if (!args.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  else log(`kept ${dataDir}`);
  return report.pass;
}

/**
 * What a lead opens while the team works: an idle window of the same clients for comparison,
 * then the Team page (its statistics are computed on the first load), the same again, and the
 * dashboard's first and second calls. Each one is timed with the server's event-loop delay over
 * exactly its duration (the histogram is restarted just before the request).
 */
async function heavyReads(client: Client, server: Server, cookie: string, datasetId: number): Promise<HeavyRead[]> {
  const busiest = (snapshots: LoopDelay[]) => snapshots.reduce<LoopDelay | null>((a, b) => (a && a.max >= b.max ? a : b), null);
  const reads: HeavyRead[] = [];
  const measure = async (what: string, send: () => Promise<{ status: number; ms: number }>) => {
    await server.loopDelay();
    const reply = await send();
    reads.push({ what, status: reply.status, ms: reply.ms, loop: busiest(await server.loopDelay()) });
    log(`  ${what}: HTTP ${reply.status} in ${reply.ms.toFixed(0)} ms, event-loop p99 ${reads.at(-1)!.loop?.p99.toFixed(1)} ms`);
  };
  await measure('no heavy read (1 s of the reviewers alone)', async () => {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { status: 0, ms: performance.now() - start };
  });
  await measure('Team page, first load (GET /team)', () => client.get(`/team?dataset=${datasetId}`, cookie));
  await measure('Team page, again', () => client.get(`/team?dataset=${datasetId}`, cookie));
  await measure('GET /api/team', () => client.get(`/api/team?datasetId=${datasetId}`, cookie));
  await measure('GET /api/dashboard, first call', () => client.get('/api/dashboard', cookie));
  await measure('GET /api/dashboard, again', () => client.get('/api/dashboard', cookie));
  return reads;
}

/**
 * Before the clock starts (not counted): loads the routes' code in the server, and opens every
 * reviewer's keep-alive connection, so the run does not measure 50 connections opening at once
 * (their first requests otherwise wait up to 2-3 s behind the reviewers already connected).
 */
async function warmUp(client: Client, cookies: string[], holders: string[], datasetId: number) {
  const holder = 'bench-warm-up-page';
  const filter = { datasetId };
  for (let i = 0; i < 3; i++) {
    await client.post('/api/queue/claim', { filter, holder, count: 4 }, cookies[0]);
    // An item that does not exist: the route runs (404) and nothing is recorded.
    await client.post('/api/verdicts', { holder, filter, itemId: 2 ** 31 - 1, decision: 'accept' }, cookies[0]);
    await client.post('/api/queue/release', { holder }, cookies[0]);
  }
  // One request per reviewer at once: their pages hold nothing yet, so this changes nothing.
  await Promise.all(cookies.map((cookie, i) => client.post('/api/queue/release', { holder: holders[i] }, cookie)));
}

function markdown(r: Report): string {
  const lines: string[] = [];
  const row = (...cells: (string | number)[]) => lines.push(`| ${cells.join(' | ')} |`);
  const ok = (pass: boolean) => (pass ? '✅' : '❌');
  const m = r.setup.machine;
  lines.push(`# Loupe load test — ${fmt(r.setup.items)} items, ${r.setup.reviewers} reviewers, ${r.setup.seconds} s`, '');
  lines.push(
    `${r.date} · ${m.cpus}× ${m.cpuModel} · ${m.memoryGiB} GiB · load ${m.loadBefore.join(' / ')} before, ` +
      `${m.loadAfter.join(' / ')} after · Node ${m.node} · think time ${r.setup.thinkMs ? `${r.setup.thinkMs} ms (mean; 0.5-1.5x, out of step)` : '0 ms'} · ` +
      (Object.keys(r.setup.serverEnv).length
        ? `server env ${Object.entries(r.setup.serverEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')} · `
        : '') +
      `database ${fmt(r.setup.dbBytes / 2 ** 20)} MiB`,
    '',
  );
  row('Over HTTP (`next start`)', 'OK answers', 'per second', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'other answers');
  row('---', '---:', '---:', '---:', '---:', '---:', '---:', '---');
  for (const [name, route] of [
    ['`POST /api/queue/claim` (count 4)', r.http.claim],
    ['`POST /api/verdicts`', r.http.verdict],
    [`\`GET ${STATIC_PATH}\` (static file, same clients)`, r.http.staticFile],
  ] as const) {
    const l = route.latencyMs;
    const other = Object.entries(route.byStatus)
      .filter(([s]) => s !== '200')
      .map(([s, n]) => `${s}: ${fmt(n)}`);
    if (route.networkErrors) other.push(`network errors: ${route.networkErrors}`);
    const max = `${l.max.toFixed(1)} (sent at ${route.slowest.sentAtSeconds.toFixed(1)} s)`;
    row(name, fmt(route.ok), fmt(route.perSecond, 1), ...[l.p50, l.p90, l.p99].map((x) => x.toFixed(1)), max, other.join(', ') || '–');
  }
  lines.push('');
  lines.push(
    `**p99 / static file p99: claim ${r.http.p99OverStatic.claim.toFixed(2)}, verdict ${r.http.p99OverStatic.verdict.toFixed(2)}**`,
    '',
  );
  row('Heavy read by a lead, halfway', 'HTTP', 'ms', 'event-loop p50 ms', 'p99 ms', 'max ms', 'samples');
  row('---', '---:', '---:', '---:', '---:', '---:', '---:');
  for (const h of r.heavyReads) {
    const l = h.loop;
    row(
      h.what,
      h.status || '–',
      h.ms.toFixed(0),
      ...(l ? [l.p50.toFixed(1), l.p99.toFixed(1), l.max.toFixed(1), l.samples] : ['–', '–', '–', '–']),
    );
  }
  lines.push('');
  row(
    'In-process baseline (same library calls, 1 thread)',
    'cycles',
    'per second',
    'CPU ms/cycle',
    'claim p50 ms',
    'claim p99 ms',
    'verdict p50 ms',
    'verdict p99 ms',
  );
  row('---', '---:', '---:', '---:', '---:', '---:', '---:', '---:');
  for (const [when, b] of [
    ['before', r.baseline.before],
    ['after', r.baseline.after],
  ] as const) {
    row(
      `claimQueue, then recordVerdict + queueProgress, ${b.pages} pages in turn (${when} the HTTP run)`,
      fmt(b.cycles),
      fmt(b.cyclesPerSecond, 1),
      b.cpuMsPerCycle.toFixed(2),
      b.claim.p50.toFixed(2),
      b.claim.p99.toFixed(2),
      b.verdict.p50.toFixed(2),
      b.verdict.p99.toFixed(2),
    );
  }
  lines.push('');
  lines.push(
    `**HTTP throughput / in-process throughput: ${r.ratio.toFixed(3)}** ` +
      `(${fmt(r.http.verdict.perSecond, 1)} vs ${fmt(r.baseline.cyclesPerSecond, 1)} claim-and-decide cycles/s, the baseline the mean of both runs); ` +
      `per CPU second: **${r.cpuRatio.toFixed(3)}** (${r.server.cpuMsPerCycle.toFixed(2)} ms of server CPU per cycle vs ` +
      `${r.baseline.cpuMsPerCycle.toFixed(2)} ms in-process)`,
    '',
  );
  lines.push(
    `Server (process tree): RSS peak ${fmt(r.server.rssPeakMiB)} MiB, end ${fmt(r.server.rssEndMiB)} MiB; ` +
      `CPU ${fmt(r.server.cpuSeconds, 1)} s = ${r.server.coresBusy.toFixed(2)} cores. ` +
      `Load generator: ${r.client.coresBusy.toFixed(2)} cores. Sign-in of ${r.setup.reviewers} reviewers: ${r.http.signInSeconds.toFixed(1)} s (not timed).`,
    '',
  );
  const c = r.checks;
  const v = c.verification;
  row('Check', 'Value', '');
  row('---', '---:', ':---:');
  row(
    'Double claims (ledger: item handed to two live holders; two acknowledged verdicts on an item; items with 2 verdicts in the DB)',
    `${c.doubleClaims} (${c.doubleClaimsByLedger} + ${c.itemsWithTwoAckedVerdicts} + ${v.itemsWithTwoVerdictsInDb})`,
    ok(c.doubleClaims === 0),
  );
  row(
    'Lost verdicts (acknowledged, not in the database as acknowledged)',
    `${v.lostVerdicts} of ${fmt(v.acknowledged)}`,
    ok(v.lostVerdicts === 0),
  );
  row('5xx answers', c.serverErrors, ok(c.serverErrors === 0));
  row('Network errors', c.networkErrors, ok(c.networkErrors === 0));
  row('item_counts rows not matching a count of the items', v.itemCountMismatches, ok(v.itemCountMismatches === 0));
  row('Overlaps request timing cannot settle (informational)', c.ambiguousOverlaps, '');
  row('Holds a later claim answer no longer included (informational)', c.droppedHolds, '');
  row('Items decided in the DB / verdicts acknowledged', `${fmt(v.itemsDecidedInDb)} / ${fmt(v.acknowledged)}`, '');
  row('Verdicts in the DB not acknowledged (request failed after commit)', c.acknowledgedNotInDb, '');
  row('Claims that found the queue empty', r.http.emptyClaims, '');
  lines.push('');
  const samples = [
    ...r.http.claim.errorSamples.map((s) => `claim ${s}`),
    ...r.http.verdict.errorSamples.map((s) => `verdict ${s}`),
    ...v.lostExamples,
    ...c.doubleClaimExamples,
  ];
  if (samples.length) lines.push('Examples:', '', ...samples.map((s) => `- ${s}`), '');
  lines.push(r.pass ? '**PASS**' : '**FAIL**', '');
  return lines.join('\n');
}

main().then(
  (pass) => process.exit(pass ? 0 : 1),
  (error) => {
    process.stderr.write(`bench:load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
