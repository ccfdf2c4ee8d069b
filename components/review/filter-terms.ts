import type { QueueFilter } from '@/lib/filter/filter';

/**
 * The review queue's filter terms in words, shared by the filter bar (a client component) and the
 * page's notice about the URL's terms (worked out on the server, components/review/url-terms.ts):
 * a plain module, so both sides can call it.
 */

const number = new Intl.NumberFormat('en-US');

const range = (min: number | undefined, max: number | undefined) =>
  min !== undefined && max !== undefined ? `${min}–${max}` : min !== undefined ? `≥ ${min}` : max !== undefined ? `≤ ${max}` : '';

/**
 * The terms of the queue's filter that the bar has no select for (what "Review these" brought from
 * the dataset browser), each a label and the terms removing it clears. A signal range keeps its
 * signal, which is also the queue's order.
 */
export function extraTermsOf(filter: QueueFilter): { label: string; clears: (keyof QueueFilter)[] }[] {
  const terms: { label: string; clears: (keyof QueueFilter)[] }[] = [];
  if (filter.search !== undefined) terms.push({ label: `Search: “${filter.search}”`, clears: ['search'] });
  if (filter.text !== undefined) terms.push({ label: `Contains “${filter.text}”`, clears: ['text'] });
  if (filter.origin !== undefined) terms.push({ label: `Edited image: ${filter.origin}`, clears: ['origin'] });
  if (filter.score !== undefined) {
    const label = `${filter.score} ${range(filter.scoreMin, filter.scoreMax) || 'set'}`;
    terms.push({ label, clears: ['score', 'scoreMin', 'scoreMax'] });
  }
  if (filter.signal !== undefined && (filter.signalMin !== undefined || filter.signalMax !== undefined)) {
    terms.push({ label: `${filter.signal} ${range(filter.signalMin, filter.signalMax)}`, clears: ['signalMin', 'signalMax'] });
  }
  if (filter.ids !== undefined) {
    terms.push({ label: `${number.format(filter.ids.length)} chosen item${filter.ids.length === 1 ? '' : 's'}`, clears: ['ids'] });
  }
  return terms;
}

/** What the review page did with the URL's filter terms, for its notice (each list empty when nothing happened). */
export interface TermsNotice {
  /** Terms a queue of pending items has no place for (status, the live verdict's), in words: "status = accepted". */
  notForQueue: string[];
  /** The browser's selection terms ("Contains “sky”") a link brought to someone who is not a lead. */
  leadOnly: string[];
  /** Terms that could not be read, each with what is wrong: "Signal min “abc”: not a number: write one like 0.25". */
  bad: string[];
}

export const isEmptyNotice = (notice: TermsNotice) => notice.notForQueue.length + notice.leadOnly.length + notice.bad.length === 0;
