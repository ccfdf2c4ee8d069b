'use client';

import { useRouter } from 'next/navigation';
import { Select } from '@/components/ui/Select';
import type { QueueFilter } from '@/lib/filter/filter';
import { filterToParams } from '@/lib/filter/filter-codec';
import { extraTermsOf } from './filter-terms';

export interface QueueOptions {
  datasets: { id: number; name: string }[];
  tasks: { family: string; task: string }[];
  /** In a signal-ordered queue: pending items of the filter without the signal, which the queue leaves out. */
  withoutSignal: number;
}

const number = new Intl.NumberFormat('en-US');
const ITEMS_WITHOUT = 'Items without the signal (never measured) are not in a signal-ordered queue';

/** Queue orders: the default (family, task, id), or by a computed signal (lib/signals). */
const QUEUE_ORDERS: [string, string][] = [
  ['', 'Queue order'],
  ['judge_overall:asc', 'Lowest judge score first'],
  ['judge_overall:desc', 'Highest judge score first'],
  ['ssim:desc', 'Least changed first (SSIM)'],
  ['changed_fraction:desc', 'Most changed first'],
  ['padding_residual:desc', 'Most padding first'],
  ['dup_edit:desc', 'Near-duplicate edits first'],
];

/** A signal order the list does not name (one a link brought): "ssim, lowest first". */
const orderLabel = (filter: QueueFilter) => `${filter.signal}, ${filter.sort === 'desc' ? 'highest' : 'lowest'} first`;

/** The review queue's filters: each change opens the page's URL for the new filter (the codec's). */
export function FilterBar({ filter, options }: { filter: QueueFilter; options: QueueOptions }) {
  const router = useRouter();
  const setFilter = (next: Partial<QueueFilter>) => {
    const merged = { ...filter, ...next };
    // A signal range belongs to its signal: another queue order leaves it out.
    if ('signal' in next && next.signal !== filter.signal) Object.assign(merged, { signalMin: undefined, signalMax: undefined });
    // A task only with its family, a sort only with its signal (the schema would refuse them).
    const params = filterToParams({
      ...merged,
      task: merged.family ? merged.task : undefined,
      sort: merged.signal ? merged.sort : undefined,
    });
    router.push(`/review?${params}`);
  };

  const extra = extraTermsOf(filter);
  const order = filter.signal ? `${filter.signal}:${filter.sort ?? 'asc'}` : '';
  return (
    <>
      {/* Capped widths and short "all" labels keep the bar one row at 1440 px; the title and the open list show a long name whole. */}
      <Select
        aria-label="Dataset"
        className="max-w-52"
        title={options.datasets.find((d) => d.id === filter.datasetId)?.name}
        value={filter.datasetId}
        // Chosen items belong to their dataset: another dataset's queue leaves them out.
        onChange={(e) => setFilter({ datasetId: Number(e.target.value), family: undefined, task: undefined, ids: undefined })}
      >
        {options.datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </Select>
      <Select
        aria-label="Family and task"
        className="max-w-48"
        value={filter.family ? `${filter.family}/${filter.task ?? ''}` : ''}
        onChange={(e) => {
          const [family, task] = e.target.value.split('/');
          setFilter({ family: family || undefined, task: task || undefined });
        }}
      >
        <option value="">All tasks</option>
        {[...new Set(options.tasks.map((t) => t.family))].map((family) => (
          <optgroup key={family} label={family}>
            <option value={`${family}/`}>{family}: all tasks</option>
            {options.tasks
              .filter((t) => t.family === family)
              .map((t) => (
                <option key={t.task} value={`${family}/${t.task}`}>
                  {family} / {t.task}
                </option>
              ))}
          </optgroup>
        ))}
      </Select>
      <Select
        aria-label="Instruction type"
        value={filter.instructionType ?? ''}
        onChange={(e) => setFilter({ instructionType: (e.target.value || undefined) as QueueFilter['instructionType'] })}
      >
        <option value="">All types</option>
        <option value="original">original</option>
        <option value="rewrite">rewrite</option>
        <option value="complex">complex</option>
      </Select>
      <Select
        aria-label="Queue order"
        value={order}
        onChange={(e) => {
          const [signal, sort] = e.target.value.split(':');
          setFilter({ signal: (signal || undefined) as QueueFilter['signal'], sort: (sort || undefined) as QueueFilter['sort'] });
        }}
        title={ITEMS_WITHOUT}
      >
        {[...QUEUE_ORDERS, ...(QUEUE_ORDERS.some(([value]) => value === order) ? [] : [[order, orderLabel(filter)]])].map(
          ([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ),
        )}
      </Select>
      {extra.length > 0 && (
        <ul className="flex flex-wrap items-center gap-1.5" aria-label="Also filtered by" data-testid="extra-terms">
          <li className="text-xs text-neutral-400">Also:</li>
          {extra.map((term) => (
            <li
              key={term.label}
              className="flex items-center gap-1 rounded-full border border-neutral-700 bg-neutral-800/60 py-0.5 pl-2.5 pr-1 text-xs text-neutral-200"
              data-testid="extra-term"
            >
              {term.label}
              <button
                type="button"
                onClick={() => setFilter(Object.fromEntries(term.clears.map((key) => [key, undefined])))}
                aria-label={`Remove filter ${term.label}`}
                className="rounded-full px-1 text-neutral-400 hover:bg-neutral-700 hover:text-neutral-100 focus-visible:outline-2 focus-visible:outline-sky-400"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {filter.signal && options.withoutSignal > 0 && (
        <span className="text-xs text-amber-300/90" data-testid="without-signal" title={ITEMS_WITHOUT}>
          {number.format(options.withoutSignal)} pending item{options.withoutSignal === 1 ? ' lacks' : 's lack'} {filter.signal}: not in
          this queue
        </span>
      )}
    </>
  );
}
