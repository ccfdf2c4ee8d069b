// @vitest-environment jsdom
/**
 * useReviewQueue against Loupe's real route handlers over real HTTP (lib/test/review-server.ts, a child
 * process with a fresh database of the 12 bundled samples): the claim and its lease, renewals
 * only while the reviewer is active, a verdict showing the prefetched next item at once, a
 * refused verdict bringing its item back, and the leases given back when the page goes.
 * Only the transport is the test's: fetch resolves the page's relative URLs against the
 * server and carries the session cookie, as the browser would; sendBeacon posts the same way.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook } from '@testing-library/react';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QueueFilter } from '@/lib/filter/filter';
import { LEASE_MS, RENEW_EVERY_MS } from './useLeases';
import { useReviewQueue } from './useReviewQueue';

const ORIGIN = 'http://localhost:3000';
/** useLeases renews only after input within a lease's length. */
const IDLE_AFTER_MS = LEASE_MS;
let server: ChildProcess;
let base: string;
let cookie: string;
let filter: QueueFilter;
let db: Database.Database;
const nodeFetch = globalThis.fetch;
/** Every request the pages made, as `METHOD /path holder` (the holder its body names, if any), in order. */
const sent: string[] = [];
/** While set, verdicts wait for it before going to the server (a verdict still on its way). */
let verdictGate: Promise<void> | undefined;

beforeAll(async () => {
  server = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'lib/test/review-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`review-server.ts exited (${code})`)));
  });
  const started = JSON.parse(line) as { port: number; cookie: string; datasetId: number; dbFile: string };
  base = `http://127.0.0.1:${started.port}`;
  cookie = started.cookie;
  filter = { datasetId: started.datasetId };
  db = new Database(started.dbFile, { readonly: true });

  globalThis.fetch = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), base);
    const holder = typeof init.body === 'string' ? (JSON.parse(init.body) as { holder?: string }).holder : undefined;
    sent.push([init.method ?? 'GET', url.pathname, holder].filter(Boolean).join(' '));
    if (url.pathname === '/api/verdicts' && verdictGate) {
      return verdictGate.then(() => sendTo(url, init));
    }
    return sendTo(url, init);
  };
  const sendTo = (url: URL, init: RequestInit) =>
    nodeFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), cookie, origin: ORIGIN } });
  navigator.sendBeacon = (url: string | URL, body?: BodyInit | null) => {
    void globalThis.fetch(url, { method: 'POST', body: body as string, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    return true;
  };
}, 60_000);

afterAll(async () => {
  globalThis.fetch = nodeFetch;
  db?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  sent.length = 0;
  verdictGate = undefined;
});

let pages = 0;
/**
 * A review page on the samples: by default a tab of its own (its own holder and query cache);
 * given a tab's holder and client, the same tab's page mounted again (back from another page of the app).
 */
function openPage(holder = `test-page-${++pages}`, client = new QueryClient({ defaultOptions: { queries: { retry: false } } })) {
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  const page = renderHook(() => useReviewQueue(filter, holder), { wrapper });
  return { holder, client, page, queue: () => page.result.current };
}

/** Waits (in real time) until `check` holds. */
async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  }
}

/** Lets answers on their way land (real time). */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 300)));

/** The ids the server says this page holds, in id order. */
const heldBy = (holder: string) =>
  db
    .prepare(`SELECT id FROM items WHERE lease_holder LIKE '%:' || ? AND lease_expires_at > ? ORDER BY id`)
    .pluck()
    .all(holder, Date.now()) as number[];
const expiryOf = (itemId: number) => db.prepare('SELECT lease_expires_at FROM items WHERE id = ?').pluck().get(itemId) as number;
const verdictsOn = (itemId: number) => db.prepare('SELECT count(*) FROM verdicts WHERE item_id = ?').pluck().get(itemId) as number;

describe('useReviewQueue', () => {
  it('claims the first items of the queue, holds them on the server, and shows when the hold ends', async () => {
    const { holder, page, queue } = openPage();
    await until(() => queue().current !== undefined, 'the first item');
    const ids = [queue().current!.id, ...queue().upcoming.map((item) => item.id)];
    expect(ids).toHaveLength(4);
    expect(heldBy(holder)).toEqual([...ids].sort((a, b) => a - b));
    expect(queue().leaseUntil).toBe(expiryOf(ids[0]));
    expect(queue().leaseUntil! - Date.now()).toBeGreaterThan(LEASE_MS - 10_000);
    expect(queue().progress).toMatchObject({ total: 12, reviewed: 0 });
    page.unmount();
  });

  it('keeps its actions the same functions from render to render (the page binds keys to them)', async () => {
    const { page, queue } = openPage();
    await until(() => queue().current !== undefined, 'the first item');
    const { decide, requestJob, undoLast, updateItem, clearError } = queue();
    page.rerender();
    expect(queue().decide).toBe(decide);
    expect(queue().requestJob).toBe(requestJob);
    expect(queue().undoLast).toBe(undoLast);
    expect(queue().updateItem).toBe(updateItem);
    expect(queue().clearError).toBe(clearError);
    page.unmount();
  });

  it('renews the hold every 30 s while the reviewer is active, and lets it lapse when idle', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: Date.now() });
    const { holder, page, queue } = openPage();
    await until(() => queue().current !== undefined, 'the first item');
    const renewals = () => sent.filter((r) => r === `POST /api/queue/renew ${holder}`).length;
    const before = queue().leaseUntil!;

    // Active: a key within the last 2 minutes, then the 30 s tick renews.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift' }));
    await act(async () => vi.advanceTimersByTime(RENEW_EVERY_MS - 1_000));
    expect(renewals()).toBe(0);
    await act(async () => vi.advanceTimersByTime(1_000));
    await until(() => queue().leaseUntil! > before, 'the renewed expiry');
    expect(renewals()).toBe(1);
    expect(queue().leaseUntil).toBe(expiryOf(queue().current!.id));

    // Still active at 60 s and 90 s; at 120 s the last input is IDLE_AFTER_MS old, and the ticks renew nothing.
    for (const count of [2, 3]) {
      await act(async () => vi.advanceTimersByTime(RENEW_EVERY_MS));
      await until(() => renewals() === count, `renewal ${count}`);
      await settle(); // a renewal on its way skips the next tick
    }
    await act(async () => vi.advanceTimersByTime(IDLE_AFTER_MS + RENEW_EVERY_MS));
    await settle();
    expect(renewals()).toBe(3);

    // Back at the page after the hold ran out: the first input claims again (the page gets
    // its items back, nobody took them), then the ticks renew again.
    const shown = queue().current!.id;
    const claims = () => sent.filter((r) => r === `POST /api/queue/claim ${holder}`).length;
    expect(claims()).toBe(1);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift' }));
    await until(() => claims() === 2, 'the claim after the lapse');
    await settle();
    expect(queue().current!.id).toBe(shown);
    expect(queue().notice).toBeUndefined();
    await act(async () => vi.advanceTimersByTime(RENEW_EVERY_MS));
    await until(() => renewals() === 4, 'the renewal after coming back');
    page.unmount();
  });

  it('takes a renewal that extended nothing (its items were given back meanwhile) as a lapse, and claims again at the next input', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: Date.now() });
    const { holder, page, queue } = openPage();
    await until(() => queue().current !== undefined, 'the first item');
    const claims = () => sent.filter((r) => r === `POST /api/queue/claim ${holder}`).length;
    // The server lets go of the page's items while the page stays (here its own close-time release).
    window.dispatchEvent(new Event('pagehide'));
    await until(() => heldBy(holder).length === 0, 'the release');

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift' }));
    await act(async () => vi.advanceTimersByTime(RENEW_EVERY_MS));
    await until(() => sent.includes(`POST /api/queue/renew ${holder}`), 'the renewal');
    await until(() => queue().leaseUntil === 0, 'the hold taken as lapsed');
    expect(claims()).toBe(1);

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift' }));
    await until(() => claims() === 2, 'the claim after the lapse');
    await until(() => heldBy(holder).length === 4, 'the items held again');
    expect(heldBy(holder)).toContain(queue().current!.id);
    page.unmount();
  });

  it('shows the prefetched next item the moment a verdict is given, and records the verdict in the background', async () => {
    const { holder, page, queue } = openPage();
    await until(() => queue().upcoming.length === 3, 'the lookahead');
    const [first, second] = [queue().current!, queue().upcoming[0]];
    const before = sent.length;
    act(() =>
      queue().decide(first, {
        decision: 'accept',
        candidateId: first.currentCandidateId,
        instructionVersionId: first.currentInstructionId,
      }),
    );
    // Same render: no answer from the server yet.
    expect(queue().current!.id).toBe(second.id);
    expect(verdictsOn(first.id)).toBe(0);
    await until(() => verdictsOn(first.id) === 1, 'the verdict row');
    await until(() => queue().progress?.reviewed === 1, 'the progress');
    expect(sent.slice(before)).toEqual([`POST /api/verdicts ${holder}`, `POST /api/queue/claim ${holder}`]);
    await until(() => queue().upcoming.length === 3, 'the lookahead refilled');
    expect(queue().current!.id).toBe(second.id);
    expect(queue().error).toBeUndefined();
    page.unmount();
  });

  it('brings an item back, with the reason, when the server refuses its verdict', async () => {
    const { page, queue } = openPage();
    await until(() => queue().upcoming.length > 0, 'two items');
    const [first, second] = [queue().current!, queue().upcoming[0]];
    // Another item's edited image: the server answers 400 and records nothing.
    act(() => queue().decide(first, { decision: 'accept', candidateId: second.currentCandidateId }));
    expect(queue().current!.id).toBe(second.id);
    await until(() => queue().error !== undefined, 'the error');
    expect(queue().current!.id).toBe(first.id);
    expect(queue().error).toBe(
      `Your accept of ${first.externalId} was not recorded (candidate ${second.currentCandidateId} is not a candidate of item ${first.id}); it is shown again.`,
    );
    expect(verdictsOn(first.id)).toBe(0);
    page.unmount();
  });

  it('gives its items back when it unmounts (leaving for another page of the app), after the verdict on its way', async () => {
    const { holder, page, queue } = openPage();
    await until(() => queue().upcoming.length === 3, 'the lookahead');
    const first = queue().current!;
    expect(heldBy(holder)).toHaveLength(4);
    act(() => queue().decide(first, { decision: 'skip' }));
    page.unmount();
    await until(() => heldBy(holder).length === 0, 'the release');
    await until(() => verdictsOn(first.id) === 1, 'the skip recorded');
    const mine = sent.filter((r) => r.endsWith(` ${holder}`));
    expect(mine.slice(-2)).toEqual([`POST /api/verdicts ${holder}`, `POST /api/queue/release ${holder}`]);
  });

  it("claims again when the tab comes back to the page, and the earlier page's late release does not give back the new claim", async () => {
    const { holder, client, page, queue } = openPage();
    await until(() => queue().upcoming.length === 3, 'the lookahead');
    // Leave for another page of the app with a verdict still on its way: the release waits for it.
    let letVerdictsGo = () => {};
    verdictGate = new Promise((resolve) => (letVerdictsGo = resolve));
    const first = queue().current!;
    act(() => queue().decide(first, { decision: 'skip' }));
    page.unmount();
    await act(() => new Promise((resolve) => setTimeout(resolve, 50))); // the other page
    const leftAt = sent.length;

    // Back: the same tab (holder) and the same query client.
    const back = openPage(holder, client);
    const claims = () => sent.slice(leftAt).filter((r) => r === `POST /api/queue/claim ${holder}`).length;
    await until(() => claims() > 0, 'a claim by the page that came back');
    await until(() => back.queue().upcoming.length === 3 && !back.queue().loading, 'its lookahead');

    // The verdict lands; the earlier page's release, which waited for it, must not undo the new claim.
    verdictGate = undefined;
    letVerdictsGo();
    await until(() => verdictsOn(first.id) === 1, 'the skip recorded');
    await settle();
    await settle();
    expect(sent.slice(leftAt)).not.toContain(`POST /api/queue/release ${holder}`);
    const shown = [back.queue().current!, ...back.queue().upcoming].map((item) => item.id);
    expect(shown).not.toContain(first.id);
    expect(heldBy(holder)).toEqual([...shown].sort((a, b) => a - b));
    back.page.unmount();
  });

  it('gives its items back when the page is closed (pagehide)', async () => {
    const { holder, page, queue } = openPage();
    await until(() => queue().current !== undefined, 'the first item');
    expect(heldBy(holder).length).toBeGreaterThan(0);
    window.dispatchEvent(new Event('pagehide'));
    await until(() => heldBy(holder).length === 0, 'the release');
    page.unmount();
  });
});
