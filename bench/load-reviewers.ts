/**
 * Simulated reviewers over HTTP: each signs in, then claims 4 items (the review page's
 * lookahead), decides the first, and again, until the deadline. Every response is timed and
 * counted by status; every acknowledged verdict is kept for the database check; a ledger of
 * who holds which item catches two reviewers being handed the same item.
 */
import http from 'node:http';
import { decide, rng } from './load-stats';

/** A file in public/, served by Next without a session or the database. */
export const STATIC_PATH = '/robots.txt';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
  headers: http.IncomingHttpHeaders;
}

/** A keep-alive JSON client for one server (the Origin header passes the CSRF check). */
export class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly host: string;
  private readonly port: number;

  constructor(readonly url: string) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port);
  }

  post(path: string, body: unknown, cookie?: string): Promise<Reply> {
    return this.send('POST', path, Buffer.from(JSON.stringify(body)), cookie);
  }

  get(path: string, cookie?: string): Promise<Reply> {
    return this.send('GET', path, undefined, cookie);
  }

  private send(method: 'GET' | 'POST', path: string, data: Buffer | undefined, cookie?: string): Promise<Reply> {
    const headers: http.OutgoingHttpHeaders = data
      ? { 'content-type': 'application/json', 'content-length': data.length, origin: this.url }
      : {};
    if (cookie) headers.cookie = cookie;
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const request = http.request({ agent: this.agent, host: this.host, port: this.port, path, method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (an HTML error page, say): kept as text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed, ms: performance.now() - start, headers: response.headers });
        });
      });
      request.setTimeout(60_000, () => request.destroy(new Error('no answer within 60 s')));
      request.on('error', reject);
      request.end(data ?? undefined);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * Signs a user in; returns the session cookie (the answer's `loupe.*` cookies; in production
 * better-auth names them `__Secure-loupe.*`, which a browser sends back only over https or
 * to localhost, and this client sends back as they are).
 */
export async function signIn(client: Client, username: string, password: string): Promise<string> {
  const reply = await client.post('/api/auth/sign-in/username', { username, password });
  const cookies = (reply.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).filter((c) => /^(__Secure-|__Host-)?loupe\./.test(c));
  if (reply.status !== 200 || !cookies.length) {
    throw new Error(`sign-in of ${username} failed: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  }
  return cookies.join('; ');
}

/** Counts of answers per status, and timing, for one route. */
export class RouteStats {
  readonly ms: number[] = [];
  readonly byStatus = new Map<number, number>();
  networkErrors = 0;
  readonly errorSamples: string[] = [];
  /** The slowest answer and when its request was sent (ms since the run started). */
  slowest = { ms: 0, sentAt: 0 };

  constructor(private readonly startedAt: number) {}

  record(reply: Reply) {
    this.ms.push(reply.ms);
    if (reply.ms > this.slowest.ms) this.slowest = { ms: reply.ms, sentAt: performance.now() - reply.ms - this.startedAt };
    this.byStatus.set(reply.status, (this.byStatus.get(reply.status) ?? 0) + 1);
    if (reply.status >= 400 && this.errorSamples.length < 5) {
      this.errorSamples.push(`${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    }
  }

  failed(error: unknown) {
    this.networkErrors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(`network: ${error instanceof Error ? error.message : String(error)}`);
  }

  count(from: number, to: number): number {
    let n = 0;
    for (const [status, k] of this.byStatus) if (status >= from && status < to) n += k;
    return n;
  }
}

export interface AckedVerdict {
  verdictId: number;
  itemId: number;
  reviewer: string;
  decision: 'accept' | 'reject';
}

interface Hold {
  reviewer: number;
  /** When the claim answer that gave it arrived (the lease exists on the server by then). */
  grantedAt: number;
  /** When the holder sent a verdict on it (the lease may be gone from then on). */
  releaseSentAt?: number;
}

/**
 * Who holds which item, from the reviewers' own requests and answers. A claim answer that
 * hands out an item another reviewer holds is a double claim when the server must have
 * granted both leases at once: the other hold was granted before this claim was sent, and
 * its holder had sent nothing that could release it before this answer arrived. Overlaps
 * that request timing cannot settle are counted apart.
 */
export class HoldLedger {
  private readonly holds = new Map<number, Hold>();
  private readonly ofReviewer = new Map<number, Set<number>>();
  /** When each reviewer's claim now in flight was sent (it may release what they hold). */
  private readonly claimInFlight = new Map<number, number>();
  doubleClaims = 0;
  ambiguousOverlaps = 0;
  /** Items a reviewer held that a later claim answer of theirs no longer included. */
  dropped = 0;
  readonly examples: string[] = [];

  onClaimSent(reviewer: number, sentAt: number) {
    this.claimInFlight.set(reviewer, sentAt);
  }

  /** A claim answer arrived (failed claims call it with no items and `failed`). */
  onClaim(reviewer: number, itemIds: number[], sentAt: number, receivedAt: number, failed = false) {
    this.claimInFlight.delete(reviewer);
    const mine = this.ofReviewer.get(reviewer) ?? new Set<number>();
    this.ofReviewer.set(reviewer, mine);
    if (failed) {
      // What a failed claim did on the server is unknown: its leases may be gone since it was sent.
      for (const id of mine) {
        const hold = this.holds.get(id);
        if (hold?.reviewer === reviewer) hold.releaseSentAt ??= sentAt;
      }
      return;
    }
    const now = new Set(itemIds);
    for (const id of mine) {
      if (now.has(id)) continue;
      mine.delete(id);
      if (this.holds.get(id)?.reviewer === reviewer) this.holds.delete(id);
      this.dropped++;
    }
    for (const id of itemIds) {
      const hold = this.holds.get(id);
      if (hold && hold.reviewer !== reviewer) {
        // The other lease was live for the whole of this claim unless its holder sent a verdict
        // on it, or a claim (which could release it), before this answer arrived.
        const otherClaim = this.claimInFlight.get(hold.reviewer);
        const definite =
          hold.grantedAt <= sentAt &&
          (hold.releaseSentAt === undefined || hold.releaseSentAt >= receivedAt) &&
          (otherClaim === undefined || otherClaim >= receivedAt);
        if (definite) {
          this.doubleClaims++;
          if (this.examples.length < 5) this.examples.push(`item ${id}: reviewer ${hold.reviewer + 1} and ${reviewer + 1}`);
        } else {
          this.ambiguousOverlaps++;
        }
        this.ofReviewer.get(hold.reviewer)?.delete(id);
      }
      if (!hold || hold.reviewer !== reviewer) this.holds.set(id, { reviewer, grantedAt: receivedAt });
      mine.add(id);
    }
  }

  onVerdictSent(reviewer: number, itemId: number, sentAt: number) {
    const hold = this.holds.get(itemId);
    if (hold?.reviewer === reviewer) hold.releaseSentAt = sentAt;
  }

  /** The verdict was answered (accepted or refused): the reviewer no longer holds the item. */
  onVerdictDone(reviewer: number, itemId: number) {
    if (this.holds.get(itemId)?.reviewer === reviewer) this.holds.delete(itemId);
    this.ofReviewer.get(reviewer)?.delete(itemId);
  }
}

export interface LoadOptions {
  client: Client;
  datasetId: number;
  cookies: string[];
  usernames: string[];
  seconds: number;
  thinkMs: number;
  runId: string;
  /** Called every 10 s with the verdicts acknowledged so far. */
  progress?: (verdicts: number, seconds: number) => void;
}

export interface LoadResult {
  seconds: number;
  claim: RouteStats;
  verdict: RouteStats;
  /** GET STATIC_PATH after each verdict by the same clients: the server's floor in this run. */
  staticFile: RouteStats;
  acked: AckedVerdict[];
  ledger: HoldLedger;
  /** Accepted verdicts per item from the answers: two on one item is a double claim. */
  itemsWithTwoAckedVerdicts: number;
  emptyClaims: number;
}

/** Runs every reviewer until the deadline; requests in flight at the deadline are awaited. */
export async function runReviewers(options: LoadOptions): Promise<LoadResult> {
  const { client, datasetId, cookies, usernames, thinkMs, runId } = options;
  const filter = { datasetId };
  const start = performance.now();
  const claim = new RouteStats(start);
  const verdict = new RouteStats(start);
  const staticFile = new RouteStats(start);
  const ledger = new HoldLedger();
  const acked: AckedVerdict[] = [];
  let emptyClaims = 0;
  const deadline = start + options.seconds * 1000;

  const reviewer = async (i: number) => {
    const holder = `bench-page-${runId}-${i}`;
    const random = rng(1000 + i);
    // People do not act in step: each reviewer starts at a random point of one think time, and
    // each look lasts 0.5 to 1.5 think times (mean: the think time). Without this, 200 reviewers
    // send their claims in the same millisecond every think time, a burst no team makes.
    const timing = rng(5000 + i);
    const think = () => thinkMs * (0.5 + timing());
    if (thinkMs > 0) await sleep(timing() * thinkMs);
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      ledger.onClaimSent(i, sentAt);
      let reply: Reply;
      try {
        reply = await client.post('/api/queue/claim', { filter, holder, count: 4 }, cookies[i]);
      } catch (error) {
        ledger.onClaim(i, [], sentAt, performance.now(), true);
        claim.failed(error);
        await sleep(50);
        continue;
      }
      claim.record(reply);
      if (reply.status !== 200) {
        ledger.onClaim(i, [], sentAt, performance.now(), true);
        if (reply.status >= 500) await sleep(50); // do not spin on a failing server
        continue;
      }
      const ids = ((reply.body as { items: { id: number }[] }).items ?? []).map((item) => item.id);
      ledger.onClaim(i, ids, sentAt, performance.now());
      if (!ids.length) {
        emptyClaims++;
        return; // the queue is empty for this reviewer
      }
      if (thinkMs > 0) await sleep(think());
      if (performance.now() >= deadline) break;
      const itemId = ids[0];
      const { decision, reasons } = decide(random);
      ledger.onVerdictSent(i, itemId, performance.now());
      try {
        reply = await client.post('/api/verdicts', { holder, filter, itemId, decision, reasons, msSpent: thinkMs || 1 }, cookies[i]);
      } catch (error) {
        verdict.failed(error);
        continue;
      }
      verdict.record(reply);
      ledger.onVerdictDone(i, itemId);
      if (reply.status === 200) {
        acked.push({ verdictId: (reply.body as { verdictId: number }).verdictId, itemId, reviewer: usernames[i], decision });
      }
      // The floor of the same clients in the same run: a static file, no session, no database.
      try {
        staticFile.record(await client.get(STATIC_PATH));
      } catch (error) {
        staticFile.failed(error);
      }
    }
  };
  const ticker = setInterval(() => options.progress?.(acked.length, (performance.now() - start) / 1000), 10_000);
  await Promise.all(cookies.map((_, i) => reviewer(i))).finally(() => clearInterval(ticker));
  const seconds = (performance.now() - start) / 1000;

  const verdictsPerItem = new Map<number, Set<string>>();
  for (const v of acked) verdictsPerItem.set(v.itemId, (verdictsPerItem.get(v.itemId) ?? new Set()).add(v.reviewer));
  let itemsWithTwoAckedVerdicts = 0;
  for (const reviewers of verdictsPerItem.values()) if (reviewers.size > 1) itemsWithTwoAckedVerdicts++;

  return { seconds, claim, verdict, staticFile, acked, ledger, itemsWithTwoAckedVerdicts, emptyClaims };
}
