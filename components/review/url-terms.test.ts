/**
 * The review page's queue from its URL: every term it can take applies, and each one it cannot
 * (a status or verdict term, a lead's selection for an annotator, a value it cannot read, an
 * unknown parameter, a dataset that is not there) is named in words, never dropped silently.
 */
import { describe, expect, it } from 'vitest';
import { reviewFilterOf } from './url-terms';

const datasets = [
  { id: 3, name: 'first' },
  { id: 7, name: 'second' },
];
const lead = ['annotator', 'lead'] as const;
const annotator = ['annotator'] as const;
const none = { notForQueue: [], leadOnly: [], bad: [] };

describe('the review queue from its URL', () => {
  it('takes every queue term and says nothing', () => {
    const { filter, notice } = reviewFilterOf(
      { dataset: '7', family: 'omniedit', text: 'sky', signal: 'ssim', smin: '0.2' },
      datasets,
      lead,
    );
    expect(filter).toEqual({ datasetId: 7, family: 'omniedit', text: 'sky', signal: 'ssim', signalMin: 0.2 });
    expect(notice).toEqual(none);
    expect(reviewFilterOf({}, datasets, annotator)).toEqual({ filter: { datasetId: 3 }, notice: none });
  });

  it('names the status and verdict terms it leaves out, and keeps the rest', () => {
    const { filter, notice } = reviewFilterOf(
      { dataset: '7', status: 'accepted', reviewer: 'ana', from: '2026-11-01', to: '1764547200000', text: 'sky' },
      datasets,
      lead,
    );
    expect(filter).toEqual({ datasetId: 7, text: 'sky' });
    expect(notice).toEqual({
      ...none,
      notForQueue: ['status = accepted', 'verdict by ana', 'verdicts from 2026-11-01', 'verdicts to 2025-12-01'],
    });
  });

  it("names a lead's selection terms an annotator's queue leaves out", () => {
    const { filter, notice } = reviewFilterOf(
      { dataset: '7', signal: 'ssim', smin: '0.2', smax: '0.5', text: 'sky', ids: '4,9', status: 'pending' },
      datasets,
      annotator,
    );
    expect(filter).toEqual({ datasetId: 7, signal: 'ssim' });
    expect(notice).toEqual({ notForQueue: ['status = pending'], leadOnly: ['Contains “sky”', 'ssim 0.2–0.5', '2 chosen items'], bad: [] });
  });

  it('names each bad term with what is wrong, in the browser’s words, and keeps the good ones', () => {
    const { filter, notice } = reviewFilterOf({ dataset: '7', signal: 'ssim', smin: 'abc', text: 'sky', ssimMin: '2' }, datasets, lead);
    expect(filter).toEqual({ datasetId: 7, signal: 'ssim', text: 'sky' });
    expect(notice.bad).toEqual(['ssimMin “2”: not a filter term Loupe knows', 'Signal min “abc”: not a number: write one like 0.25']);
  });

  it('leaves out a range with its unknown signal, and a task without its family', () => {
    const { filter, notice } = reviewFilterOf(
      { dataset: '7', signal: 'sharpness', smin: '0.2', sort: 'desc', task: 'style' },
      datasets,
      lead,
    );
    expect(filter).toEqual({ datasetId: 7 });
    expect(notice.bad).toEqual([
      'Signal “sharpness”: this signal is not one Loupe knows',
      'Task “style”: a task filter needs its family',
      'Signal min “0.2”: a signal range needs the signal',
      'Sort “desc”: a sort needs a score or a signal',
    ]);
  });

  it('says when the dataset asked for is not there, and shows the first', () => {
    for (const dataset of ['99', 'abc']) {
      const { filter, notice } = reviewFilterOf({ dataset, family: 'omniedit' }, datasets, lead);
      expect(filter).toEqual({ datasetId: 3, family: 'omniedit' });
      expect(notice.bad).toEqual([`Dataset “${dataset}”: no such dataset, so this is first`]);
    }
  });

  it('keeps a long value short in the notice', () => {
    const { notice } = reviewFilterOf({ dataset: '7', ids: `1,2,${'x'.repeat(80)}` }, datasets, lead);
    expect(notice.bad).toEqual([`Selected items “1,2,${'x'.repeat(36)}…”: not an item id: ${'x'.repeat(40)}`]);
  });
});
