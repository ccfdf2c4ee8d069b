import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { wilsonInterval, type ProportionInterval } from '@/lib/stats/proportion';

export interface TaskProgress {
  family: string;
  task: string;
  total: number;
  pending: number;
  accepted: number;
  rejected: number;
  disputed: number;
  /** accepted / (accepted + rejected) with its 95% Wilson interval; null before any decision. */
  acceptRate: ProportionInterval | null;
}

export interface Progress {
  /** By family then task. */
  tasks: TaskProgress[];
  /** Every task together (family and task are ''). */
  overall: TaskProgress;
}

const STATUSES = ['pending', 'accepted', 'rejected', 'disputed'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (status: string): status is Status => (STATUSES as readonly string[]).includes(status);

function emptyProgress(family: string, task: string): TaskProgress {
  return { family, task, total: 0, pending: 0, accepted: 0, rejected: 0, disputed: 0, acceptRate: null };
}

function withRate(p: TaskProgress): TaskProgress {
  return { ...p, acceptRate: wilsonInterval(p.accepted, p.accepted + p.rejected) };
}

type Row = { family: string; task: string; status: string; n: number };

/** Items per family/task by status, and the accept rate of the decided ones: from item_counts, no item is read. */
export function progressByTask(db: Db, datasetId?: number): Progress {
  const rows =
    datasetId === undefined
      ? statement<[], Row>(db, 'SELECT family, task, status, sum(n) AS n FROM item_counts GROUP BY family, task, status').all()
      : statement<[number], Row>(
          db,
          'SELECT family, task, status, sum(n) AS n FROM item_counts WHERE dataset_id = ? GROUP BY family, task, status',
        ).all(datasetId);
  const byTask = new Map<string, TaskProgress>();
  const overall = emptyProgress('', '');
  for (const { family, task, status, n } of rows) {
    if (n === 0) continue;
    const key = `${family}\0${task}`;
    let entry = byTask.get(key);
    if (!entry) byTask.set(key, (entry = emptyProgress(family, task)));
    for (const target of [entry, overall]) {
      target.total += n;
      if (isStatus(status)) target[status] += n;
    }
  }
  const tasks = [...byTask.values()].sort((a, b) => a.family.localeCompare(b.family) || a.task.localeCompare(b.task)).map(withRate);
  return { tasks, overall: withRate(overall) };
}
