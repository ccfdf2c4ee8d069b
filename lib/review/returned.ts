/** Where an item whose job ended goes in a review page's list (components/review/useReviewQueue.ts). */

export interface Returned {
  itemId: number;
  /** The item on screen when it came back (undefined: nothing was). */
  after: number | undefined;
}

/**
 * Moves each returned item to just after the item that was on screen when it came back; once
 * that item is gone (decided, or away for a job), the returned item is first.
 */
export function placeReturned<T extends { id: number }>(list: T[], returned: readonly Returned[]): T[] {
  if (returned.length === 0) return list;
  const ids = new Set(returned.map((r) => r.itemId));
  const out = list.filter((item) => !ids.has(item.id));
  const placed = new Set<number>();
  for (const r of returned) {
    const item = list.find((i) => i.id === r.itemId);
    if (!item) continue;
    let at = r.after === undefined ? 0 : out.findIndex((i) => i.id === r.after) + 1;
    while (at < out.length && placed.has(out[at].id)) at++;
    out.splice(at, 0, item);
    placed.add(item.id);
  }
  return out;
}
