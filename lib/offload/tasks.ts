/**
 * The reads that may run on the offload worker (./pool.ts): whole-dataset statistics that take
 * from a few hundred milliseconds to seconds of CPU, which on the server's thread would make every
 * other request wait. Each takes the db first and returns plain data (it crosses a thread by
 * structured clone); the worker keeps its connection, so each task's own caches (the team
 * statistics per verdict watermark, the dashboard's kept verdict counts) last between calls.
 */
import type { Db } from '@/db';
import { dashboardSummary, signalVsHuman } from '@/lib/dashboard/queries';
import { teamStats, type TeamStatsOptions } from '@/lib/team/stats';

export const TASKS = {
  /** lib/team/stats.ts teamStats; null when the dataset does not exist. */
  teamStats: (db: Db, options: TeamStatsOptions) => teamStats(db, options) ?? null,
  /** lib/dashboard/queries.ts dashboardSummary (every dataset without an id). */
  dashboardSummary: (db: Db, datasetId: number | null, now: number) => dashboardSummary(db, datasetId ?? undefined, now),
  /** lib/dashboard/signals.ts signalVsHuman (a sample of up to 20k pairs: about 0.1 s at 1.5M items). */
  signalVsHuman: (db: Db, datasetId: number, signal: string) => signalVsHuman(db, { datasetId, signal }),
};

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
/** A task's arguments after the db. */
export type TaskArgs<K extends TaskName> = Parameters<Tasks[K]> extends [Db, ...infer Rest] ? Rest : never;
export type TaskResult<K extends TaskName> = ReturnType<Tasks[K]>;
