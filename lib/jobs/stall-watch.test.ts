import { describe, expect, it } from 'vitest';
import { StallWatch, watched } from './stall-watch';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StallWatch', () => {
  it('aborts when no progress was seen for its time, naming the step', async () => {
    const watch = new StallWatch(50, 'downloading x');
    await sleep(120);
    expect(watch.signal.aborted).toBe(true);
    expect(String(watch.signal.reason)).toMatch(/downloading x: no progress for 50 ms/);
  });

  it('never cuts a step that keeps making progress', async () => {
    const watch = new StallWatch(80, 'slow but moving');
    for (let i = 0; i < 6; i++) {
      await sleep(30);
      watch.progress();
    }
    expect(watch.signal.aborted).toBe(false);
    watch.end();
    await sleep(120);
    expect(watch.signal.aborted).toBe(false); // ended: nothing fires after the step
  });

  it('ends its timer when the step ends either way', async () => {
    let signal!: AbortSignal;
    await expect(
      watched(50, 'failing', async (watch) => {
        signal = watch.signal;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await sleep(100);
    expect(signal.aborted).toBe(false);
  });
});
