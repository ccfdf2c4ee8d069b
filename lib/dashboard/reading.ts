import type { SignalVsHuman } from './signals';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const two = (x: number) => x.toFixed(2);

/** Common rough bands for AUC (Hosmer & Lemeshow's: 0.7 acceptable, 0.8 excellent, 0.9 outstanding). */
function band(auc: number): string {
  if (auc >= 0.9) return 'separates accepted from rejected items very well';
  if (auc >= 0.8) return 'separates them well';
  if (auc >= 0.7) return 'separates them fairly: useful to sort a queue, not to decide alone';
  if (auc >= 0.6) return 'separates them weakly';
  return 'barely does better than a coin flip (0.5)';
}

/**
 * A short plain-language reading of a signal's AUC for leads deciding whether to trust it,
 * e.g. "AUC 0.81: ranking items by judge_overall puts a random accepted item above a random
 * rejected one 81% of the time."
 */
export function signalReading(result: Pick<SignalVsHuman, 'signal' | 'auc' | 'n' | 'accepted' | 'rejected'>): string[] {
  const { signal, auc } = result;
  if (!auc) {
    return [
      result.n === 0
        ? `No decided item has ${signal} on its current edit yet.`
        : `All ${result.n} decided items with ${signal} were ${result.accepted ? 'accepted' : 'rejected'}: an AUC needs both accepted and rejected items.`,
    ];
  }
  const lines: string[] = [];
  if (auc.auc >= 0.5) {
    lines.push(
      `AUC ${two(auc.auc)}: ranking items by ${signal} puts a random accepted item above a random rejected one ${pct(auc.auc)} of the time; it ${band(auc.auc)}.`,
    );
  } else {
    lines.push(
      `AUC ${two(auc.auc)}: higher ${signal} goes with rejection. A random accepted item scores below a random rejected one ${pct(1 - auc.auc)} of the time, so read it reversed (AUC ${two(1 - auc.auc)}); it ${band(1 - auc.auc)}.`,
    );
  }
  const excludesChance = auc.low > 0.5 || auc.high < 0.5;
  lines.push(
    `95% interval ${two(auc.low)}–${two(auc.high)} from ${result.accepted.toLocaleString('en-US')} accepted and ${result.rejected.toLocaleString('en-US')} rejected items` +
      (excludesChance ? '.' : ': it includes 0.5, so these data cannot tell the signal from chance.'),
  );
  return lines;
}
