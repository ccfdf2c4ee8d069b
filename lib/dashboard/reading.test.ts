import { describe, expect, it } from 'vitest';
import { signalReading } from './reading';

const auc = (value: number, low: number, high: number) => ({ auc: value, low, high, se: 0.01 });

describe('signalReading', () => {
  it('reads an AUC above 0.5 as the chance of ranking an accepted item first', () => {
    const [first, second] = signalReading({
      signal: 'judge_overall',
      auc: auc(0.812, 0.8, 0.824),
      n: 3000,
      accepted: 2000,
      rejected: 1000,
    });
    expect(first).toBe(
      'AUC 0.81: ranking items by judge_overall puts a random accepted item above a random rejected one 81% of the time; it separates them well.',
    );
    expect(second).toBe('95% interval 0.80–0.82 from 2,000 accepted and 1,000 rejected items.');
  });

  it('reads an AUC below 0.5 as a reversed signal', () => {
    const [first] = signalReading({ signal: 'padding_residual', auc: auc(0.27, 0.25, 0.29), n: 500, accepted: 300, rejected: 200 });
    expect(first).toContain('higher padding_residual goes with rejection');
    expect(first).toContain('73% of the time');
    expect(first).toContain('(AUC 0.73)');
  });

  it('says when the interval includes chance, and when there is nothing to measure', () => {
    expect(signalReading({ signal: 'ssim', auc: auc(0.55, 0.45, 0.65), n: 40, accepted: 20, rejected: 20 })[1]).toContain(
      'cannot tell the signal from chance',
    );
    expect(signalReading({ signal: 'ssim', auc: null, n: 0, accepted: 0, rejected: 0 })).toEqual([
      'No decided item has ssim on its current edit yet.',
    ]);
    expect(signalReading({ signal: 'ssim', auc: null, n: 3, accepted: 3, rejected: 0 })[0]).toContain('were accepted');
  });
});
