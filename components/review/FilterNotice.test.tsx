// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FilterNotice } from './FilterNotice';

/** The notice under the review bar naming the URL's terms the queue left out. */

afterEach(cleanup);

const none = { notForQueue: [], leadOnly: [], bad: [] };

describe('the review page’s note on filter terms', () => {
  it('names each left-out term with why, one line per reason, until dismissed', () => {
    render(
      <FilterNotice
        notice={{
          notForQueue: ['status = accepted', 'verdict by ana'],
          leadOnly: ['Contains “sky”'],
          bad: ['Signal min “abc”: not a number: write one like 0.25'],
        }}
      />,
    );
    const lines = screen.getAllByRole('listitem').map((line) => line.textContent);
    expect(lines).toEqual([
      'Not applied here: status = accepted, verdict by ana — a review queue holds pending items, which have no verdict yet.',
      'Not applied here: Contains “sky” — only a lead can narrow a review queue to a selection.',
      'Not understood, so not applied: Signal min “abc”: not a number: write one like 0.25',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the note on filter terms' }));
    expect(screen.queryByTestId('filter-notice')).toBeNull();
  });

  it('shows nothing when every term applied', () => {
    render(<FilterNotice notice={none} />);
    expect(screen.queryByTestId('filter-notice')).toBeNull();
  });

  it('comes back for a link with other terms after one was dismissed', () => {
    const { rerender } = render(<FilterNotice notice={{ ...none, notForQueue: ['status = accepted'] }} />);
    fireEvent.click(screen.getByRole('button', { name: /Dismiss/ }));
    expect(screen.queryByTestId('filter-notice')).toBeNull();
    rerender(<FilterNotice notice={{ ...none, notForQueue: ['status = rejected'] }} />);
    expect(screen.getByTestId('filter-notice').textContent).toContain('status = rejected');
  });
});
