/**
 * The p-quantile of values already sorted ascending, interpolating linearly between the two
 * nearest ranks (the "type 7" rule of R and NumPy's default), so results match those tools.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty list');
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** The median, or null for an empty list. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return quantileSorted(
    [...values].sort((x, y) => x - y),
    0.5,
  );
}
