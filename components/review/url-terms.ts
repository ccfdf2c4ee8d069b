import { explainServerIssue, TERM_LABELS, dayOf, type FormTerm } from '@/components/datasets/filter-form';
import type { Role } from '@/lib/auth/roles';
import { queueFilterSchema, type QueueFilter } from '@/lib/filter/filter';
import { filterInputFromParams, unknownParamsOf, type FilterInput } from '@/lib/filter/filter-codec';
import { parseId } from '@/lib/http/params';
import { queueFilterFor } from '@/lib/review/queue';
import { extraTermsOf, type TermsNotice } from './filter-terms';

/**
 * The review page's queue from its URL, and what it did with the URL's terms (app/review/page.tsx).
 * A link may carry terms a queue cannot take: the browser's status and verdict terms ("Review
 * these" from a filtered browser), the browser's selection terms when the user is not a lead,
 * and terms that do not parse. Each is left out, the rest still apply, and the notice names
 * what was left out and why, so the queue never differs silently from what the link asked for.
 */

type Search = Record<string, string | string[] | undefined>;
type Terms = Omit<FilterInput, 'datasetId'> & { datasetId?: string | number };

/** A range without its score or signal is refused at the name (absent): the range is the term to drop. */
const NEEDS: Partial<Record<keyof FilterInput, (keyof FilterInput)[]>> = {
  score: ['scoreMin', 'scoreMax'],
  signal: ['signalMin', 'signalMax'],
};

const MAX_SHOWN = 40;
const quoted = (value: string) => `“${value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value}”`;

/** A term a queue has no place for, in words: "status = accepted", "verdict by ana". */
function notForQueueLabel(term: keyof FilterInput, value: string): string {
  if (term === 'status') return `status = ${value}`;
  if (term === 'reviewer') return `verdict by ${value}`;
  if (term === 'from') return `verdicts from ${dayOf(value)}`;
  if (term === 'to') return `verdicts to ${dayOf(value)}`;
  return `${(TERM_LABELS[term as FormTerm] ?? term).toLowerCase()} = ${value}`;
}

/**
 * Parses the terms with the queue's schema, leaving out each term it refuses (with the schema's
 * reason, worded for a person as the dataset browser words it) until the rest parse. A term
 * that needs a refused one goes too (a signal range without its signal).
 */
function parseLeavingOut(terms: Terms): { filter: QueueFilter | undefined; kept: Terms; bad: string[] } {
  const bad: string[] = [];
  let kept = { ...terms };
  // Each round removes at least one term, so this ends.
  for (;;) {
    const parsed = queueFilterSchema.safeParse(kept);
    if (parsed.success) return { filter: parsed.data, kept, bad };
    const next = { ...kept };
    for (const issue of parsed.error.issues) {
      const term = String(issue.path[0] ?? '') as keyof FilterInput;
      const culprits = term in next ? [term] : (NEEDS[term] ?? []).filter((t) => t in next);
      for (const culprit of culprits) {
        if (culprit === 'datasetId' || !(culprit in next)) continue;
        const { text } = explainServerIssue(`${culprit}: ${issue.message}`);
        bad.push(`${TERM_LABELS[culprit as FormTerm] ?? culprit} ${quoted(String(next[culprit]))}: ${text}`);
        delete next[culprit];
      }
    }
    if (Object.keys(next).length === Object.keys(kept).length) return { filter: undefined, kept, bad };
    kept = next;
  }
}

/**
 * The queue the page shows for its URL: `datasets` the datasets there are (the first is the
 * default), `roles` the user's. A dataset id that names none is the first dataset's queue.
 */
export function reviewFilterOf(
  search: Search,
  datasets: readonly { id: number; name: string }[],
  roles: readonly Role[],
): { filter: QueueFilter; notice: TermsNotice } {
  const notice: TermsNotice = { notForQueue: [], leadOnly: [], bad: [] };
  for (const [key, value] of unknownParamsOf(search)) notice.bad.push(`${key} ${quoted(value)}: not a filter term Loupe knows`);

  const input = filterInputFromParams(search);
  const askedId = input.datasetId;
  const dataset = datasets.find((d) => d.id === parseId(askedId)) ?? datasets[0];
  if (askedId !== undefined && dataset.id !== parseId(askedId)) {
    notice.bad.push(`Dataset ${quoted(askedId)}: no such dataset, so this is ${dataset.name}`);
  }

  const parsed = parseLeavingOut({ ...input, datasetId: dataset.id });
  notice.bad.push(...parsed.bad);
  const asked = parsed.filter ?? { datasetId: dataset.id };
  for (const term of Object.keys(parsed.kept) as (keyof FilterInput)[]) {
    const value = String(parsed.kept[term]);
    if (term === 'datasetId' || term in asked) continue;
    // Parsed but not in the queue's filter: the schema drops status and the verdict's terms.
    if (parsed.filter) notice.notForQueue.push(notForQueueLabel(term, value));
    // (No filter at all: a refusal no single term explains, so none of the terms applies.)
    else notice.bad.push(`${TERM_LABELS[term as FormTerm] ?? term} ${quoted(value)}: could not be read with the other terms`);
  }

  const filter = queueFilterFor(asked, roles);
  const shown = new Set(extraTermsOf(filter).map((term) => term.label));
  notice.leadOnly = extraTermsOf(asked)
    .map((term) => term.label)
    .filter((label) => !shown.has(label));
  return { filter: { ...filter, datasetId: dataset.id }, notice };
}
