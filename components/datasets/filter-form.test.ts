import { describe, expect, it } from 'vitest';
import { checkTerms, chipsOf, explainServerIssue, without } from './filter-form';

describe('the browser filter form', () => {
  it('explains a bad range value at its field, in words, and keeps what was typed', () => {
    const terms = { signal: 'ssim', signalMin: 'abc', signalMax: '0.5' };
    expect(checkTerms(terms)).toEqual({ signalMin: '“abc” is not a number: write one like 0.25' });
    expect(terms.signalMin).toBe('abc');
    expect(checkTerms({ scoreMin: '1' })).toEqual({ scoreMin: 'choose the score this range is of' });
    expect(checkTerms({ signal: 'ssim', signalMin: '0.9', signalMax: '0.2' })).toEqual({
      signalMax: 'below the minimum (0.9): nothing could match',
    });
    expect(checkTerms({ sort: 'desc' })).toEqual({ sort: 'choose a score or a signal to sort by' });
    expect(checkTerms({ signal: 'ssim', signalMin: '0.1', signalMax: '0.9', sort: 'asc' })).toEqual({});
  });

  it('words a raw schema message from the server, and keeps the filter own messages', () => {
    expect(explainServerIssue('signalMin: Invalid input: expected number, received NaN')).toEqual({
      term: 'signalMin',
      text: 'not a number: write one like 0.25',
    });
    expect(explainServerIssue('ids: not an item id: x')).toEqual({ term: 'ids', text: 'not an item id: x' });
    expect(explainServerIssue('status: Invalid option: expected one of "pending"|"accepted"')).toEqual({
      term: 'status',
      text: 'this status is not one Loupe knows',
    });
  });

  it('names each active term as a chip whose removal clears its range with it', () => {
    const terms = { search: 'cat', family: 'omniedit', task: 'add', signal: 'ssim', signalMin: '0.2', signalMax: '0.8', ids: '1,2,3' };
    const chips = chipsOf(terms);
    expect(chips.map((c) => c.label)).toEqual(['Search: “cat”', 'omniedit / add', 'ssim 0.2–0.8', '3 chosen items']);
    expect(without(terms, chips[2].clears)).toEqual({ search: 'cat', family: 'omniedit', task: 'add', ids: '1,2,3' });
  });
});
