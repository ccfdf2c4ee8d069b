// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilterBar } from './FilterBar';

/** The review bar with terms "Review these" brought from the dataset browser: shown, and each removable. */

const pushed: string[] = [];
vi.mock('next/navigation', () => ({ useRouter: () => ({ push: (href: string) => pushed.push(href) }) }));
afterEach(() => {
  cleanup();
  pushed.length = 0;
});

const options = { datasets: [{ id: 2, name: 'd' }], tasks: [], withoutSignal: 0 };

describe('the review filter bar', () => {
  it('shows a signal range and chosen items as removable terms; removing the range keeps the order and the rest', () => {
    render(
      <FilterBar filter={{ datasetId: 2, signal: 'ssim', signalMin: 0.25, signalMax: 0.55, ids: [4, 9], text: 'sky' }} options={options} />,
    );
    const terms = screen.getAllByTestId('extra-term').map((term) => term.firstChild?.textContent);
    expect(terms).toEqual(['Contains “sky”', 'ssim 0.25–0.55', '2 chosen items']);
    // The order the link brought is shown, though the list does not name it.
    expect((screen.getByLabelText('Queue order') as HTMLSelectElement).selectedOptions[0].textContent).toBe('ssim, lowest first');
    fireEvent.click(screen.getByRole('button', { name: 'Remove filter ssim 0.25–0.55' }));
    expect(pushed).toEqual(['/review?dataset=2&text=sky&signal=ssim&ids=4%2C9']);
  });

  it('drops a signal range when the queue order changes to another signal, and shows no note without extra terms', () => {
    render(<FilterBar filter={{ datasetId: 2, signal: 'ssim', signalMin: 0.25, sort: 'desc' }} options={options} />);
    fireEvent.change(screen.getByLabelText('Queue order'), { target: { value: 'judge_overall:asc' } });
    expect(pushed).toEqual(['/review?dataset=2&signal=judge_overall&sort=asc']);
    cleanup();
    render(<FilterBar filter={{ datasetId: 2, family: 'omniedit' }} options={options} />);
    expect(screen.queryByTestId('extra-terms')).toBeNull();
  });
});
