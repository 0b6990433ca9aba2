// The admin app's media plumbing without a browser: fetching a file behind the token, and durations.
import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../renderer/src/api/client.js';
import { formatDuration } from '../../renderer/src/lib/media-url.js';

describe('media in the admin app', () => {
  it('fetches media with the token: bytes, pending while the bridge downloads, a coded error otherwise', async () => {
    const seen: { url: string; apikey: string | null }[] = [];
    const answers = [
      new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-type': 'image/jpeg' } }),
      new Response(JSON.stringify({ success: true, status: 'pending' }), { status: 202 }),
      new Response(JSON.stringify({ success: false, error: { code: 'MEDIA_EXPIRED', message: 'gone' } }), { status: 410 }),
    ];
    const api = createApi('tok', '', async (input, init) => {
      seen.push({ url: String(input), apikey: new Headers(init?.headers).get('apikey') });
      return answers.shift()!;
    });
    const blob = await api.blob('/api/slots/1/messages/x/media?thumb=1');
    expect(blob).toBeInstanceOf(Blob);
    expect(new Uint8Array(await (blob as Blob).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(await api.blob('/api/slots/1/messages/y/media')).toBe('pending');
    const err = await api.blob('/api/slots/1/messages/z/media').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'MEDIA_EXPIRED', status: 410 });
    expect(seen).toEqual([
      { url: '/api/slots/1/messages/x/media?thumb=1', apikey: 'tok' },
      { url: '/api/slots/1/messages/y/media', apikey: 'tok' },
      { url: '/api/slots/1/messages/z/media', apikey: 'tok' },
    ]);
  });

  it('formats voice-note durations', () => {
    expect(formatDuration(7000)).toBe('0:07');
    expect(formatDuration(65_400)).toBe('1:05');
    expect(formatDuration(3_909_000)).toBe('1:05:09');
  });
});
