import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorNameSql } from '@/lib/auth/actors';
import { kindIn } from '@/lib/jobs/kinds';
import { can, type Role } from '@/lib/auth/roles';
import { filterSql, hasExtraTerms, QUEUE_EXTRA_TERMS, signalRankRangeSql, signalSql, type QueueFilter } from '../filter/filter';

export type { QueueFilter } from '../filter/filter';

/** How long a claimed item stays reserved for its reviewer unless the open page renews it. */
export const LEASE_MS = 2 * 60 * 1000;

export interface Claimant {
  /** One open review page (a browser tab) of one user: leases belong to it. */
  holder: string;
  /** The reviewer's user id: verdicts and skips are recorded under it (lib/auth/actors.ts). */
  reviewer: string;
}

/**
 * The claimant of a request: the page's own id scoped to the signed-in user, so no one
 * can renew, release or decide with another user's leases by sending their page id.
 */
export function claimantOf(user: { id: string; username: string }, pageId: string): Claimant {
  return { holder: `${user.id}:${pageId}`, reviewer: user.id };
}

/** SQL: the reviewer (?) has a verdict or skip on `items.id` that is not undone. */
export const HAS_OWN_VERDICT = `EXISTS (
  SELECT 1 FROM verdicts v WHERE v.item_id = items.id AND v.reviewer = ? AND v.decision != 'undo'
    AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id))`;

const FREE = '(lease_expires_at IS NULL OR lease_expires_at <= ? OR lease_holder = ?)';

/** SQL: the job `j` is of a kind that holds its item (lib/jobs/kinds: regenerations, rewrites). */
const HOLDS_ITEM = kindIn((kind) => kind.holdsItem, 'j.kind');

/**
 * SQL: `items` is free for the page (now, holder), the reviewer (?) has no verdict on it, and
 * no job holding the item is queued or running on it: such an item comes back when its job ends
 * (signals and the judge only score it, so they do not take it out of the queue).
 */
const CLAIMABLE = `${FREE} AND NOT ${HAS_OWN_VERDICT}
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.item_id = items.id AND j.status IN ('queued', 'running')
         AND ${HOLDS_ITEM})`;

/** The queue's own terms (dataset, family, task, type, signal order), without the browser's extra ones. */
function ownTerms(filter: QueueFilter): QueueFilter {
  const own = { ...filter };
  for (const term of QUEUE_EXTRA_TERMS) delete own[term];
  return own;
}

/**
 * The queue a user may ask for. The browser's extra terms (ids, text, search, ranges: "Review
 * these") are a lead's tool: with them an annotator could pick which items to review, and so
 * steer around gold checks or learn from the progress count whether a given item was decided.
 * Others get the queue's own terms, as lead-only terms are dropped everywhere.
 */
export function queueFilterFor(filter: QueueFilter, roles: readonly Role[]): QueueFilter {
  return can(roles, 'adjudicate') ? filter : ownTerms(filter);
}

/**
 * Reserves up to `count` items for a review page. First the items it already holds, then,
 * in queue order (family, task, id), pending items nobody holds (or whose lease expired)
 * that this reviewer has no verdict or skip on and that no job is working on. Each new
 * slot is a gold item instead with the dataset's gold rate. One short write transaction,
 * so two pages never get the same item; leases the page held outside the result are released.
 */
export function claimItems(
  db: Db,
  filter: QueueFilter,
  who: Claimant,
  count: number,
  now = Date.now(),
  random: () => number = Math.random,
): number[] {
  const pending = filterSql(filter, 'pending');
  // Gold items come from the queue's own terms: a selection (ids, text, ranges) picks the work, not the checks.
  const goldScope = filterSql(ownTerms(filter));
  const bySignal = filter.signal !== undefined;
  const dir = filter.sort === 'desc' ? 'DESC' : 'ASC';
  const order = bySignal ? `ORDER BY ${signalSql(filter.signal!)} ${dir}, id ${dir}` : 'ORDER BY family, task, id';
  // INDEXED BY: without statistics the planner would walk the queue index (every pending
  // item) instead of the page's few leases.
  const held = statement<unknown[], number>(
    db,
    `SELECT id FROM items INDEXED BY items_lease_holder
     WHERE lease_holder = ? AND lease_expires_at > ?
       AND ((${pending.where}) OR (${goldScope.where} AND id IN (SELECT item_id FROM gold_items)))
     ${order} LIMIT ?`,
  ).pluck();
  const claimable = CLAIMABLE;
  const rankRange = signalRankRangeSql(filter);
  // By a signal: walk signals_rank (dataset, name, value, item) in order, current candidates only.
  const free = statement<unknown[], number>(
    db,
    bySignal
      ? `SELECT items.id FROM signals s JOIN items ON items.id = s.item_id AND items.current_candidate_id = s.candidate_id
         WHERE s.dataset_id = ? AND s.name = ? AND s.value IS NOT NULL ${rankRange.sql} AND ${filterSql(filter, 'pending', true).where}
           AND ${claimable}
         ORDER BY s.value ${dir}, s.item_id ${dir} LIMIT ?`
      : `SELECT id FROM items WHERE ${pending.where} AND ${claimable} ${order} LIMIT ?`,
  ).pluck();
  const signalTerms = bySignal ? [filter.datasetId, filter.signal, ...rankRange.params] : [];
  const goldRate = statement<[number], number>(db, 'SELECT gold_rate FROM datasets WHERE id = ?').pluck();
  // Small table: a random gold item of the queue this reviewer has not answered yet (in a signal-ordered
  // queue, one with the signal: items without it are not in that queue, gold ones neither).
  const gold = statement<unknown[], number>(
    db,
    `SELECT id FROM items
     WHERE id IN (SELECT item_id FROM gold_items WHERE dataset_id = ?) AND ${goldScope.where} AND ${FREE} AND NOT ${HAS_OWN_VERDICT}
       ${bySignal ? `AND ${signalSql(filter.signal!)} IS NOT NULL` : ''}
       AND id NOT IN (SELECT value FROM json_each(?))
     ORDER BY random() LIMIT 1`,
  ).pluck();
  const lease = statement(db, 'UPDATE items SET lease_holder = ?, lease_reviewer = ?, lease_expires_at = ? WHERE id = ?');
  const releaseOthers = statement(
    db,
    `UPDATE items SET lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL
     WHERE lease_holder = ? AND id NOT IN (SELECT value FROM json_each(?))`,
  );

  return db.$client
    .transaction(() => {
      const ids = held.all(who.holder, now, ...pending.params, ...goldScope.params, count);
      const slots = count - ids.length;
      if (slots > 0) {
        const rate = goldRate.get(filter.datasetId) ?? 0;
        const goldSlots = Array.from({ length: slots }, () => rate > 0 && random() < rate);
        const more = free.all(...signalTerms, ...pending.params, now, who.holder, who.reviewer, count);
        const fresh = more.filter((id) => !ids.includes(id));
        for (const isGold of goldSlots) {
          const goldId = isGold
            ? gold.get(filter.datasetId, ...goldScope.params, now, who.holder, who.reviewer, JSON.stringify(ids))
            : undefined;
          let next = goldId ?? fresh.shift();
          // A pending gold item is also among the free ones: never lease one item twice.
          while (next !== undefined && ids.includes(next)) next = fresh.shift();
          if (next !== undefined) ids.push(next);
        }
      }
      for (const id of ids) lease.run(who.holder, who.reviewer, now + LEASE_MS, id);
      releaseOthers.run(who.holder, JSON.stringify(ids));
      return ids;
    })
    .immediate();
}

/**
 * Leases one item to the page if it is in the page's queue, pending, claimable now, and a
 * regeneration or rewrite this reviewer asked for on it has ended (so its item comes back to
 * them first). Anything else keeps its place in queue order: `prefer` is no way to pick items.
 * One statement.
 */
export function leaseIfClaimable(db: Db, filter: QueueFilter, who: Claimant, itemId: number, now = Date.now()): boolean {
  const pending = filterSql(filter, 'pending');
  return (
    statement(
      db,
      `UPDATE items SET lease_holder = ?, lease_reviewer = ?, lease_expires_at = ?
       WHERE id = ? AND ${pending.where} AND ${CLAIMABLE}
         AND EXISTS (SELECT 1 FROM jobs j WHERE j.item_id = items.id AND j.requested_by = ?
           AND j.status IN ('succeeded', 'failed', 'cancelled') AND ${HOLDS_ITEM})`,
    ).run(who.holder, who.reviewer, now + LEASE_MS, itemId, ...pending.params, now, who.holder, who.reviewer, who.reviewer).changes > 0
  );
}

/**
 * Extends every live lease of a page: the new expiry time, and how many leases it extended
 * (none: the page holds nothing now, and must claim again rather than count on `expiresAt`).
 */
export function renewLeases(db: Db, holder: string, now = Date.now()): { expiresAt: number; renewed: number } {
  const expiresAt = now + LEASE_MS;
  const { changes } = statement(db, 'UPDATE items SET lease_expires_at = ? WHERE lease_holder = ? AND lease_expires_at > ?').run(
    expiresAt,
    holder,
    now,
  );
  return { expiresAt, renewed: changes };
}

const CLEAR_LEASE = 'lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL';

/** Gives back a page's leases (closing the page, or changing the queue filter). */
export function releaseLeases(db: Db, holder: string): number {
  return statement(db, `UPDATE items SET ${CLEAR_LEASE} WHERE lease_holder = ?`).run(holder).changes;
}

/** Lets go of one item (it is being regenerated: it comes back to the queue later). */
export function releaseItemLease(db: Db, holder: string, itemId: number) {
  statement(db, `UPDATE items SET ${CLEAR_LEASE} WHERE id = ? AND lease_holder = ?`).run(itemId, holder);
}

/** A lead frees an item someone holds (they left without closing the page, say). */
export function releaseItemByLead(db: Db, itemId: number): boolean {
  return statement(db, `UPDATE items SET ${CLEAR_LEASE} WHERE id = ? AND lease_holder IS NOT NULL`).run(itemId).changes > 0;
}

export interface LiveLease {
  itemId: number;
  datasetId: number;
  externalId: string;
  family: string;
  task: string;
  /** The holder's username now (reviewerId: their user id). */
  reviewer: string | null;
  reviewerId: string | null;
  expiresAt: number;
}

/** The leases that are live now (expired ones are reclaimed by the next claim). */
export function liveLeases(db: Db, now = Date.now(), limit = 500): LiveLease[] {
  return statement<[number, number], LiveLease>(
    db,
    `SELECT id AS itemId, dataset_id AS datasetId, external_id AS externalId, family, task,
            ${actorNameSql('lease_reviewer')} AS reviewer, lease_reviewer AS reviewerId, lease_expires_at AS expiresAt
     FROM items INDEXED BY items_lease_holder
     WHERE lease_holder IS NOT NULL AND lease_expires_at > ?
     ORDER BY lease_reviewer, lease_expires_at LIMIT ?`,
  ).all(now, limit);
}

/**
 * How many pending items of a signal-ordered queue's filter lack the signal (never measured, or no value):
 * such items are not in that queue, and the page says how many. 0 for a queue in the default order. One
 * pass over the filter's pending items (a primary-key probe each): asked once per page load, not per action.
 */
export function pendingWithoutSignal(db: Db, filter: QueueFilter): number {
  if (filter.signal === undefined) return 0;
  const pending = filterSql(filter, 'pending');
  return statement<unknown[], number>(db, `SELECT count(*) FROM items WHERE ${pending.where} AND ${signalSql(filter.signal)} IS NULL`)
    .pluck()
    .get(...pending.params)!;
}

export interface QueueProgress {
  reviewed: number;
  total: number;
}

/**
 * Decided (or disputed) and total items for a queue filter: from item_counts for the queue terms,
 * else (a text, search, origin, range or id term) one count over the matching items.
 */
export function queueProgress(db: Db, filter: QueueFilter): QueueProgress {
  if (hasExtraTerms(filter) && filter.signal !== undefined && (filter.signalMin !== undefined || filter.signalMax !== undefined)) {
    // A signal range: count over its range of signals_rank, not every item of the dataset.
    const { where, params } = filterSql(filter, undefined, true);
    const rankRange = signalRankRangeSql(filter);
    const row = statement<unknown[], { reviewed: number | null; total: number }>(
      db,
      `SELECT sum(items.status != 'pending') AS reviewed, count(*) AS total
       FROM signals s JOIN items ON items.id = s.item_id AND items.current_candidate_id = s.candidate_id
       WHERE s.dataset_id = ? AND s.name = ? AND s.value IS NOT NULL ${rankRange.sql} AND ${where}`,
    ).get(filter.datasetId, filter.signal, ...rankRange.params, ...params)!;
    return { reviewed: row.reviewed ?? 0, total: row.total };
  }
  if (hasExtraTerms(filter)) {
    const { where, params } = filterSql(filter);
    const row = statement<unknown[], { reviewed: number | null; total: number }>(
      db,
      `SELECT sum(status != 'pending') AS reviewed, count(*) AS total FROM items WHERE ${where}`,
    ).get(...params)!;
    return { reviewed: row.reviewed ?? 0, total: row.total };
  }
  const { where, params } = filterSql(filter);
  const row = statement<unknown[], { reviewed: number | null; total: number | null }>(
    db,
    `SELECT sum(CASE WHEN status != 'pending' THEN n ELSE 0 END) AS reviewed, sum(n) AS total
     FROM item_counts WHERE ${where}`,
  ).get(...params)!;
  return { reviewed: row.reviewed ?? 0, total: row.total ?? 0 };
}
