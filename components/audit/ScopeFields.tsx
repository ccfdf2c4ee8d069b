'use client';

import { Select } from '@/components/ui/Select';

export interface DatasetOption {
  id: number;
  name: string;
  tasks: { family: string; task: string }[];
}

const field = 'flex flex-col gap-1 text-neutral-400';

/** Which dataset a campaign samples, and which of its families and tasks (`family/` or `family/task`; '' for all). */
export function ScopeFields({
  datasets,
  dataset,
  onDataset,
  scope,
  onScope,
}: {
  datasets: DatasetOption[];
  dataset: DatasetOption;
  onDataset: (id: number) => void;
  scope: string;
  onScope: (scope: string) => void;
}) {
  return (
    <>
      <label className={field}>
        Dataset
        <Select value={dataset.id} onChange={(e) => onDataset(Number(e.target.value))} aria-label="Dataset">
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </Select>
      </label>
      <label className={field}>
        Families and tasks
        <Select value={scope} onChange={(e) => onScope(e.target.value)} aria-label="Families and tasks">
          <option value="">All families and tasks</option>
          {[...new Set(dataset.tasks.map((t) => t.family))].map((f) => (
            <optgroup key={f} label={f}>
              <option value={`${f}/`}>{f}: all tasks</option>
              {dataset.tasks
                .filter((t) => t.family === f)
                .map((t) => (
                  <option key={t.task} value={`${f}/${t.task}`}>
                    {f} / {t.task}
                  </option>
                ))}
            </optgroup>
          ))}
        </Select>
      </label>
    </>
  );
}
