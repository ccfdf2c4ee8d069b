/**
 * An import's problems, bounded: every one is counted, the first MAX_KEPT_PROBLEMS in file
 * order are kept (in memory, in the summary and in import_runs.problems), so a huge file of
 * bad records costs counts, not memory.
 */

/** [file number, record index]: problems are sorted by it, so they read in file order. */
export type Order = [number, number];

export interface ImportProblem {
  /** The metadata file, relative to the imported path. */
  file: string;
  /** The record's id when it has one, else its 0-based index in the file. */
  record?: string | number;
  reason: string;
}

export const MAX_KEPT_PROBLEMS = 1000;

export class ProblemList {
  /** All problems reported, and those of them that skipped a record (the rest concern a file). */
  total = 0;
  skipped = 0;
  private kept: (ImportProblem & { order: Order })[] = [];

  constructor(private readonly max = MAX_KEPT_PROBLEMS) {}

  add(problem: ImportProblem, order: Order) {
    this.total++;
    if (problem.record !== undefined) this.skipped++;
    this.kept.push({ ...problem, order });
    // Trimmed in bulk, so each problem costs a share of one sort, not a scan.
    if (this.kept.length >= 2 * this.max) this.trim();
  }

  /** The first problems in file order (at most the limit). */
  sorted(): ImportProblem[] {
    this.trim();
    return this.kept.map(({ order: _order, ...problem }) => problem);
  }

  /** How many problems were counted but not kept. */
  get more(): number {
    return this.total - Math.min(this.kept.length, this.max);
  }

  private trim() {
    this.kept.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
    if (this.kept.length > this.max) this.kept.length = this.max;
  }
}

/** "and K more" for a list that stops at the limit, or '' when it is complete. */
export function moreProblems(more: number): string {
  return more > 0 ? `and ${more.toLocaleString('en-US')} more` : '';
}
