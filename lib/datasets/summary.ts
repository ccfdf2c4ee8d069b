import type { Db } from '@/db';
import { datasetCounts, listDatasets } from './index';

export interface StatusTotals {
  total: number;
  pending: number;
  accepted: number;
  rejected: number;
}

export interface TaskSummary extends StatusTotals {
  family: string;
  task: string;
}

export interface DatasetSummary extends StatusTotals {
  id: number;
  name: string;
  tasks: TaskSummary[];
}

function emptyTotals(): StatusTotals {
  return { total: 0, pending: 0, accepted: 0, rejected: 0 };
}

function add(totals: StatusTotals, status: string, n: number) {
  totals.total += n;
  if (status === 'pending' || status === 'accepted' || status === 'rejected') totals[status] += n;
}

/** Every dataset with status totals overall and per (family, task), from item_counts. */
export function summarizeDatasets(db: Db): DatasetSummary[] {
  return listDatasets(db).map((dataset) => {
    const summary: DatasetSummary = { id: dataset.id, name: dataset.name, ...emptyTotals(), tasks: [] };
    const byTask = new Map<string, TaskSummary>();
    for (const row of datasetCounts(db, dataset.id)) {
      const key = `${row.family}\0${row.task}`;
      let task = byTask.get(key);
      if (!task) byTask.set(key, (task = { family: row.family, task: row.task, ...emptyTotals() }));
      add(task, row.status, row.n);
      add(summary, row.status, row.n);
    }
    summary.tasks = [...byTask.values()].sort((a, b) => a.family.localeCompare(b.family) || a.task.localeCompare(b.task));
    return summary;
  });
}
