'use client';

import { useRouter } from 'next/navigation';
import { Select } from '@/components/ui/Select';
import type { ItemFilter } from '@/lib/filter/filter';
import { filterToParams } from '@/lib/filter/filter-codec';

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

/** The review queue's filters: each change opens the page's URL for the new filter (the codec's). */
export function FilterBar({ filter, options }: { filter: ItemFilter; options: QueueOptions }) {
  const router = useRouter();
  const setFilter = (next: Partial<ItemFilter>) => {
    const merged = { ...filter, ...next };
    // A task only with its family, a sort only with its signal (the schema would refuse them).
    const params = filterToParams({
      ...merged,
      task: merged.family ? merged.task : undefined,
      sort: merged.signal ? merged.sort : undefined,
    });
    router.push(`/review?${params}`);
  };

  return (
    <>
      <Select
        aria-label="Dataset"
        value={filter.datasetId}
        onChange={(e) => setFilter({ datasetId: Number(e.target.value), family: undefined, task: undefined })}
      >
        {options.datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </Select>
      <Select
        aria-label="Family and task"
        value={filter.family ? `${filter.family}/${filter.task ?? ''}` : ''}
        onChange={(e) => {
          const [family, task] = e.target.value.split('/');
          setFilter({ family: family || undefined, task: task || undefined });
        }}
      >
        <option value="">All families and tasks</option>
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
        onChange={(e) => setFilter({ instructionType: (e.target.value || undefined) as ItemFilter['instructionType'] })}
      >
        <option value="">All instruction types</option>
        <option value="original">original</option>
        <option value="rewrite">rewrite</option>
        <option value="complex">complex</option>
      </Select>
      <Select
        aria-label="Queue order"
        value={filter.signal ? `${filter.signal}:${filter.sort ?? 'asc'}` : ''}
        onChange={(e) => {
          const [signal, sort] = e.target.value.split(':');
          setFilter({ signal: (signal || undefined) as ItemFilter['signal'], sort: (sort || undefined) as ItemFilter['sort'] });
        }}
        title={ITEMS_WITHOUT}
      >
        {QUEUE_ORDERS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      {filter.signal && options.withoutSignal > 0 && (
        <span className="text-xs text-amber-300/90" data-testid="without-signal" title={ITEMS_WITHOUT}>
          {number.format(options.withoutSignal)} pending item{options.withoutSignal === 1 ? ' lacks' : 's lack'} {filter.signal}: not in
          this queue
        </span>
      )}
    </>
  );
}
