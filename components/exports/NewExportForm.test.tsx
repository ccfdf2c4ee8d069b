// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS } from '@/lib/export/formats';
import { NewExportForm } from './NewExportForm';

const nodeFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = nodeFetch;
  cleanup();
});

/** The form, with the request bodies it sends (the transport answers 202 as the route does). */
function renderForm() {
  const sent: Record<string, unknown>[] = [];
  globalThis.fetch = async (_input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push(JSON.parse(String(init.body)));
    return new Response(JSON.stringify({ exportId: 1 }), { status: 202, headers: { 'content-type': 'application/json' } });
  };
  render(
    <QueryClientProvider client={new QueryClient()}>
      <NewExportForm choices={{ datasets: [], families: [], tasks: [], formats: EXPORT_FORMATS }} busy={false} onStarted={() => {}} />
    </QueryClientProvider>,
  );
  return sent;
}

describe('New export: the images choice', () => {
  it('offers copy, link and none for the formats that write image files, and sends the choice', async () => {
    const sent = renderForm();
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'jsonl' } });
    const images = screen.getByLabelText('Images') as HTMLSelectElement;
    expect(images.disabled).toBe(false);
    expect([...images.options].map((o) => o.value)).toEqual(['', 'copy', 'link', 'none']);
    fireEvent.change(images, { target: { value: 'none' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ format: 'jsonl', images: 'none' });
  });

  it('leaves the choice to the server by default, and sends none for a format that embeds its images', async () => {
    const sent = renderForm();
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0].images).toBeUndefined();

    fireEvent.change(screen.getByLabelText('Images'), { target: { value: 'link' } });
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'webdataset' } });
    const images = screen.getByLabelText('Images') as HTMLSelectElement;
    expect(images.disabled).toBe(true);
    expect([...images.options].map((o) => o.text)).toEqual(['embedded in its files']);
    fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ format: 'webdataset' });
    expect(sent[1].images).toBeUndefined();
  });
});
