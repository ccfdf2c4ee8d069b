import { describe, expect, it } from 'vitest';
import { handle } from '@/lib/http/handler';
import { ERROR_STATUS, LoupeError, type ErrorCode } from './errors';

describe('LoupeError: one domain error, its code decides the HTTP status', () => {
  it.each(Object.entries(ERROR_STATUS) as [ErrorCode, number][])('%s answers %i with the message', async (code, status) => {
    const response = await handle(() => {
      throw new LoupeError(code, `refused as ${code}`);
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: `refused as ${code}` });
  });

  it('any other error is a 500 that names nothing of its message', async () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      const response = await handle(() => {
        throw new Error('secret detail');
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'internal error' });
    } finally {
      console.error = quiet;
    }
  });
});
