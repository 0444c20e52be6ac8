import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PublishedMessage,
  triggerEvent,
} from '../../../../../shared/adapters/mns/simulator/envelope.js';
import { parseHeartbeatMessage } from '../../../../../shared/events/mns.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../fixtures/events/mns-topic-json-envelope.json');

const message: PublishedMessage = {
  seq: 1,
  topic: 'havip-heartbeat-timeouts',
  messageId: '2F5B3C082B923D4EAC694B76D928ABCD',
  body: '{"type":"heartbeat.timeout","instanceId":"i-bp1demo0000000000001","lastSeenAt":"2026-11-20T08:15:20Z"}',
  tag: undefined,
  publishTime: 1763626530040,
  accessKeyId: 'AK',
};

describe('the event FC passes the function', () => {
  it('JSON: the fixture envelope, field for field, with the real MD5', () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const event = JSON.parse(
      triggerEvent(message, 'JSON', '1234567890123456', 'havip-failover-heartbeats').toString(),
    );
    expect(Object.keys(event)).toEqual(Object.keys(fixture));
    expect({ ...event, MessageMD5: fixture.MessageMD5, MessageId: fixture.MessageId }).toEqual(fixture);
    // The fixture's MD5 is made up; ours is the real one, upper-case hex.
    expect(event.MessageMD5).toBe(createHash('md5').update(message.body).digest('hex').toUpperCase());
  });

  it('JSON: adds MessageTag only for a tagged message', () => {
    const tagged = JSON.parse(triggerEvent({ ...message, tag: 'drain' }, 'JSON', 'o', 's').toString());
    expect(tagged.MessageTag).toBe('drain');
    expect('MessageTag' in JSON.parse(triggerEvent(message, 'JSON', 'o', 's').toString())).toBe(false);
  });

  it('STREAM: the body itself, which the handler parses the same way', () => {
    const event = triggerEvent(message, 'STREAM', 'o', 's');
    expect(event.toString('utf8')).toBe(message.body);
    const fromStream = parseHeartbeatMessage(event, { format: 'STREAM' });
    const fromJson = parseHeartbeatMessage(triggerEvent(message, 'JSON', 'o', 's'), { format: 'JSON' });
    expect(fromStream.signals[0]).toMatchObject({
      kind: 'heartbeat-timeout',
      memberId: 'i-bp1demo0000000000001',
    });
    expect(fromJson.signals[0]).toMatchObject({ kind: 'heartbeat-timeout', eventId: message.messageId });
  });
});
