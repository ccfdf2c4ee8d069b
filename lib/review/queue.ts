import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { filterSql, type ItemFilter } from './filter';

/** How long a claimed item stays reserved for its reviewer unless the open page renews it. */
export const LEASE_MS = 2 * 60 * 1000;

export interface Claimant {
  /** One open review page (a browser tab): leases belong to it. */
  holder: string;
  /** The reviewer's name: verdicts and skips are recorded under it. */
  reviewer: string;
}

/**
 * Reserves up to `count` items for a review page, in queue order (family, task, id):
 * first the items it already holds, then undecided items nobody holds (or whose lease
 * expired) that this reviewer has not skipped and that no job is working on. One short
 * write transaction, so two pages never get the same item. Leases the page held outside
 * the result are released.
 */
export function claimItems(db: Db, filter: ItemFilter, who: Claimant, count: number, now = Date.now()): number[] {
  const { where, params } = filterSql(filter, 'pending');
  const order = 'ORDER BY family, task, id';
  // INDEXED BY: without statistics the planner would walk the queue index (every pending
  // item) instead of the page's few leases.
  const held = statement<unknown[], number>(
    db,
    `SELECT id FROM items INDEXED BY items_lease_holder
     WHERE lease_holder = ? AND lease_expires_at > ? AND ${where} ${order} LIMIT ?`,
  ).pluck();
  const free = statement<unknown[], number>(
    db,
    `SELECT id FROM items WHERE ${where}
       AND (lease_expires_at IS NULL OR lease_expires_at <= ? OR lease_holder = ?)
       AND NOT EXISTS (
         SELECT 1 FROM verdicts v WHERE v.item_id = items.id AND v.reviewer = ? AND v.decision = 'skip'
           AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id))
       -- An item being regenerated or rewritten comes back when its job ends.
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.item_id = items.id AND j.status IN ('queued', 'running'))
     ${order} LIMIT ?`,
  ).pluck();
  const lease = statement(db, 'UPDATE items SET lease_holder = ?, lease_expires_at = ? WHERE id = ?');
  const releaseOthers = statement(
    db,
    `UPDATE items SET lease_holder = NULL, lease_expires_at = NULL
     WHERE lease_holder = ? AND id NOT IN (SELECT value FROM json_each(?))`,
  );

  return db.$client
    .transaction(() => {
      const ids = held.all(who.holder, now, ...params, count);
      if (ids.length < count) {
        const more = free.all(...params, now, who.holder, who.reviewer, count);
        for (const id of more) if (!ids.includes(id) && ids.length < count) ids.push(id);
      }
      for (const id of ids) lease.run(who.holder, now + LEASE_MS, id);
      releaseOthers.run(who.holder, JSON.stringify(ids));
      return ids;
    })
    .immediate();
}

/** Extends every live lease of a page; returns the new expiry time. */
export function renewLeases(db: Db, holder: string, now = Date.now()): number {
  const expires = now + LEASE_MS;
  statement(
    db,
    `UPDATE items SET lease_expires_at = ? WHERE lease_holder = ? AND lease_expires_at > ? AND status = 'pending'`,
  ).run(expires, holder, now);
  return expires;
}

/** Gives back a page's leases (closing the page, or changing the queue filter). */
export function releaseLeases(db: Db, holder: string): number {
  return statement(db, 'UPDATE items SET lease_holder = NULL, lease_expires_at = NULL WHERE lease_holder = ?').run(holder)
    .changes;
}

/** Lets go of one item (it is being regenerated: it comes back to the queue later). */
export function releaseItemLease(db: Db, holder: string, itemId: number) {
  statement(db, 'UPDATE items SET lease_holder = NULL, lease_expires_at = NULL WHERE id = ? AND lease_holder = ?').run(
    itemId,
    holder,
  );
}

export interface QueueProgress {
  reviewed: number;
  total: number;
}

/** Reviewed (accepted or rejected) and total items for a queue filter, from item_counts. */
export function queueProgress(db: Db, filter: ItemFilter): QueueProgress {
  const { where, params } = filterSql(filter);
  const row = statement<unknown[], { reviewed: number | null; total: number | null }>(
    db,
    `SELECT sum(CASE WHEN status != 'pending' THEN n ELSE 0 END) AS reviewed, sum(n) AS total
     FROM item_counts WHERE ${where}`,
  ).get(...params)!;
  return { reviewed: row.reviewed ?? 0, total: row.total ?? 0 };
}
