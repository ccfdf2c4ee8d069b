import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The one client fetcher against real Response objects (the browser's fetch and location are
 * stand-ins: this runs in Node). Each test imports a fresh module, as a page load would.
 */

type Call = { url: string; init: RequestInit };

function serve(answer: () => Response) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  });
  return calls;
}

const assign = vi.fn();

beforeEach(() => {
  vi.resetModules();
  assign.mockReset();
  vi.stubGlobal('window', { location: { pathname: '/review', search: '?dataset=2&family=omniedit', assign } });
});

afterEach(() => vi.unstubAllGlobals());

describe('request', () => {
  it('sends JSON and answers the JSON body', async () => {
    const calls = serve(() => Response.json({ verdictId: 7 }));
    const { post } = await import('./client');
    expect(await post<{ verdictId: number }>('/api/verdicts', { itemId: 3 })).toEqual({ verdictId: 7 });
    expect(calls[0].url).toBe('/api/verdicts');
    expect(calls[0].init.method).toBe('POST');
    expect(new Headers(calls[0].init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ itemId: 3 });
  });

  it('sends a GET with no body and no content type', async () => {
    const calls = serve(() => Response.json({ leases: [] }));
    const { get } = await import('./client');
    await get('/api/leases');
    expect(calls[0].init.method).toBe('GET');
    expect(calls[0].init.body).toBeUndefined();
    expect(calls[0].init.headers).toBeUndefined();
  });

  it("throws ApiError with the status and the server's {error} message", async () => {
    serve(() => Response.json({ error: 'invalid request: holder: Too small' }, { status: 400 }));
    const { ApiError, post } = await import('./client');
    const error = await post('/api/queue/claim', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      message: 'invalid request: holder: Too small',
      serverMessage: 'invalid request: holder: Too small',
    });
    expect(assign).not.toHaveBeenCalled();
  });

  it("takes better-auth's {message}, and names the request when the body says nothing", async () => {
    serve(() => Response.json({ message: 'Invalid password', code: 'INVALID_PASSWORD' }, { status: 400 }));
    let client = await import('./client');
    await expect(client.post('/api/auth/change-password', {})).rejects.toMatchObject({ status: 400, message: 'Invalid password' });

    vi.resetModules();
    serve(() => new Response('<html>gateway</html>', { status: 502 }));
    client = await import('./client');
    await expect(client.del('/api/leases/4')).rejects.toMatchObject({
      status: 502,
      message: 'DELETE /api/leases/4 failed (HTTP 502)',
      serverMessage: undefined,
    });
  });

  it('on a 401 sends the page to sign-in once, with this page as next, and throws', async () => {
    serve(() => Response.json({ error: 'sign in first' }, { status: 401 }));
    const { post, SESSION_ENDED } = await import('./client');
    await expect(post('/api/verdicts', {})).rejects.toMatchObject({ status: 401, message: SESSION_ENDED });
    await expect(post('/api/queue/renew', {})).rejects.toMatchObject({ status: 401 });
    expect(assign).toHaveBeenCalledTimes(1);
    expect(assign).toHaveBeenCalledWith('/login?next=%2Freview%3Fdataset%3D2%26family%3Domniedit');
  });

  it('a 401 from sign-in itself (wrong username or password) is an error for the form, not a redirect', async () => {
    serve(() => Response.json({ message: 'Invalid username or password', code: 'INVALID_USERNAME_OR_PASSWORD' }, { status: 401 }));
    const { post } = await import('./client');
    await expect(post('/api/auth/sign-in/username', { username: 'ann', password: 'x' })).rejects.toMatchObject({
      status: 401,
      message: 'Invalid username or password',
    });
    expect(assign).not.toHaveBeenCalled();
  });

  it('keeps the response headers on the error (the login form reads x-retry-after)', async () => {
    serve(() => Response.json({ message: 'Too many requests' }, { status: 429, headers: { 'x-retry-after': '12' } }));
    const { post } = await import('./client');
    const error = (await post('/api/auth/sign-in/username', {}).catch((e: unknown) => e)) as { headers: Headers };
    expect(error.headers.get('x-retry-after')).toBe('12');
  });

  it("measures the server's clock from the Date header", async () => {
    const ahead = 60_000;
    serve(() => Response.json({}, { headers: { date: new Date(Date.now() + ahead).toUTCString() } }));
    const { get, serverNow } = await import('./client');
    expect(Math.abs(serverNow() - Date.now())).toBeLessThan(5);
    await get('/api/jobs?ids=1');
    expect(Math.abs(serverNow() - Date.now() - ahead)).toBeLessThan(2_000);
  });
});
