import type { Db } from '@/db';
import { matchRanges } from '@/db/search-tokens';
import { statement } from '@/db/statements';
import { parseSearch } from './compiled';
import { descriptionOf, instructionsOf } from './document';

/**
 * A text cut where the search matched: the UI renders each segment as text (React escapes it),
 * a matched one in a <mark>. Joined, the segments' texts are the text.
 */
export interface Segment {
  text: string;
  match: boolean;
}

/** The text's segments for the search (one unmatched segment when nothing matches or there is no search). */
export function highlightSegments(text: string, search: string | undefined): Segment[] {
  return segmentsOf(text, matchRanges(text, parseSearch(search)));
}

function segmentsOf(text: string, ranges: [number, number][]): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) segments.push({ text: text.slice(at, start), match: false });
    segments.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length || segments.length === 0) segments.push({ text: text.slice(at), match: false });
  return segments;
}

/** Where a search matched one row of the browser. */
export interface RowHighlight {
  /** The instruction the row shows, cut at the matches (maybe none: the match is elsewhere). */
  instruction: Segment[];
  /**
   * When the row's instruction does not hold every word: the item's other indexed texts that
   * match, so the row can say why it is there. `label` is 'current' (the item's current
   * instruction, when the row shows another: a lead's row shows the decided one) or 'description'
   * (the input description).
   */
  elsewhere: { label: 'current' | 'description'; segments: Segment[] }[];
}

/**
 * Highlights for a page of the browser (BrowseRow's `id` and `instruction`, lib/browse/list.ts):
 * one query for the page's current instructions and descriptions, then the index's own tokenizer
 * in JavaScript (db/search-tokens.ts). An empty map without a search.
 */
export function highlightRows(db: Db, rows: { id: number; instruction: string }[], search: string | undefined): Map<number, RowHighlight> {
  const compiled = parseSearch(search);
  const result = new Map<number, RowHighlight>();
  if (compiled.groups.length === 0 || rows.length === 0) return result;
  const texts = new Map(
    statement<[string], { id: number; current: string; description: string }>(
      db,
      `SELECT i.id, ${instructionsOf('i')} AS current, ${descriptionOf('i')} AS description
       FROM json_each(?) j JOIN items i ON i.id = j.value`,
    )
      .all(JSON.stringify(rows.map((row) => row.id)))
      .map((row) => [row.id, row]),
  );
  for (const row of rows) {
    const elsewhere: RowHighlight['elsewhere'] = [];
    // Every word or phrase is in the row's instruction: nothing else to show.
    const complete = compiled.groups.every((group) => matchRanges(row.instruction, { groups: [group] }).length > 0);
    const item = texts.get(row.id);
    if (!complete && item) {
      for (const [label, text] of [
        ['current', item.current === row.instruction ? '' : item.current],
        ['description', item.description],
      ] as const) {
        const ranges = text ? matchRanges(text, compiled) : [];
        if (ranges.length > 0) elsewhere.push({ label, segments: segmentsOf(text, ranges) });
      }
    }
    result.set(row.id, { instruction: segmentsOf(row.instruction, matchRanges(row.instruction, compiled)), elsewhere });
  }
  return result;
}
