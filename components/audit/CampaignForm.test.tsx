// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CampaignForm, campaignPreset } from './CampaignForm';

/** The page's URL: the App Router is not mounted here, so its hooks answer from this. */
let url = new URLSearchParams();
vi.mock('next/navigation', () => ({
  useRouter: () => ({ refresh: () => {} }),
  useSearchParams: () => url,
}));

const datasets = [
  { id: 1, name: 'first', tasks: [{ family: 'omniedit', task: 'add' }] },
  {
    id: 2,
    name: 'second',
    tasks: [
      { family: 'ultraedit', task: 'color' },
      { family: 'ultraedit', task: 'remove' },
    ],
  },
];

const nodeFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = nodeFetch;
  url = new URLSearchParams();
  cleanup();
});

/** The form at `query`, with the preview requests it sends (left unanswered: only what it asks matters). */
function renderAt(query: string) {
  url = new URLSearchParams(query);
  const sent: Record<string, unknown>[] = [];
  globalThis.fetch = (_input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push(JSON.parse(String(init.body)));
    return new Promise<Response>(() => {});
  };
  render(
    <QueryClientProvider client={new QueryClient()}>
      <CampaignForm datasets={datasets} />
    </QueryClientProvider>,
  );
  return sent;
}

describe('New campaign from the dataset browser', () => {
  it('opens filled in with the dataset, family and task of the URL, and previews that population', async () => {
    const sent = renderAt('dataset=2&family=ultraedit&task=remove');
    expect(screen.getByTestId('campaign-form')).toBeTruthy();
    expect((screen.getByLabelText('Dataset') as HTMLSelectElement).value).toBe('2');
    expect((screen.getByLabelText('Families and tasks') as HTMLSelectElement).value).toBe('ultraedit/remove');
    await waitFor(() => expect(sent.length).toBeGreaterThan(0));
    expect(sent.at(-1)).toMatchObject({ datasetId: 2, population: { filter: { family: 'ultraedit', task: 'remove' } } });
  });

  it('stays closed without a preset', () => {
    renderAt('');
    expect(screen.queryByTestId('campaign-form')).toBeNull();
  });

  it('keeps only what the dataset has: a family alone, or the whole dataset', () => {
    expect(campaignPreset(new URLSearchParams('dataset=2&family=ultraedit'), datasets)).toEqual({ datasetId: 2, scope: 'ultraedit/' });
    expect(campaignPreset(new URLSearchParams('dataset=2&family=ultraedit&task=nope'), datasets)).toEqual({
      datasetId: 2,
      scope: 'ultraedit/',
    });
    expect(campaignPreset(new URLSearchParams('dataset=2&family=omniedit&task=add'), datasets)).toEqual({ datasetId: 2, scope: '' });
    expect(campaignPreset(new URLSearchParams('dataset=9&family=omniedit'), datasets)).toBeUndefined();
    expect(campaignPreset(new URLSearchParams('family=omniedit'), datasets)).toBeUndefined();
  });
});
