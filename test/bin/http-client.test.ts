/** The CLI's API client signs every request with the shared signing function, nonce included. */
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../bin/http-client.js';
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import { createHttpApp } from '../../shared/app/http/app.js';
import { AUTH, HMAC_ID, HMAC_SECRET, RecordingService, TestClock } from '../support/http.js';

describe('HttpClient', () => {
  it('regression (issue 13.4): the same signed request twice in the same second gets two answers', async () => {
    const clock = new TestClock();
    const app = createHttpApp({
      service: new RecordingService(),
      auth: AUTH,
      logger: createMemoryLogger(),
      clock,
    });
    const sent: Headers[] = [];
    const client = new HttpClient({
      endpoint: 'http://api.invalid',
      credentials: { kind: 'hmac', keyId: HMAC_ID, secret: HMAC_SECRET },
      now: () => clock.now(),
      fetch: async (url, init) => {
        sent.push(new Headers(init?.headers));
        return app.request(String(url), init);
      },
    });
    const answers = [await client.request('GET', '/v1/groups'), await client.request('GET', '/v1/groups')];
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(sent.map((h) => h.get('x-havip-timestamp'))).toEqual([
      String(clock.now() / 1000),
      String(clock.now() / 1000),
    ]);
    expect(sent[0]?.get('x-havip-nonce')).not.toBe(sent[1]?.get('x-havip-nonce'));
  });
});
