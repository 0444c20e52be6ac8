/**
 * TDMQ for CMQ in the Tencent simulator, driven by the OFFICIAL tencentcloud-sdk-nodejs `tdmq` client
 * (PublishCmqMsg, 2020-02-17): the answer, the TC3 check with the configured pair and with a role's
 * temporary credentials (their token, their expiry), an unknown topic, and what a subscriber receives —
 * the SCF CMQ trigger event that functions/scf/heartbeat.ts parses.
 */
import { describe, expect, it } from 'vitest';
import type { CmqTriggerRecord } from '../../../../shared/adapters/tencent-simulator/index.js';
import { parseCmqMessage } from '../../../../shared/events/tencent/cmq.js';
import {
  REGION,
  sdkClients,
  sdkFailure,
  TENCENT_TEST_CREDENTIALS,
  useTencentSimulator,
} from '../../../support/tencent-simulator.js';

const TOPIC = 'havip-heartbeats';
const BODY = '{"type":"heartbeat.timeout","instanceId":"ins-web1","lastSeenAt":"2026-11-20T08:15:20Z"}';

describe('PublishCmqMsg through the SDK', () => {
  const start = useTencentSimulator();

  it('answers Result and MsgId, and delivers the SCF CMQ trigger event to each subscriber after the answer', async () => {
    const { cloud, sdk } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    const events: { event: string; record: CmqTriggerRecord }[] = [];
    cloud.cmq.subscribe(TOPIC, {
      name: 'havip-heartbeat',
      deliver: (event, record) => void events.push({ event, record }),
    });
    const answer = await sdk.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY });
    expect(answer.Result).toBe(true);
    expect(answer.MsgId).toMatch(/\S/);
    expect(answer.RequestId).toMatch(/\S/);
    await cloud.cmq.drain();
    expect(events).toHaveLength(1);
    const doc = JSON.parse(events[0]!.event) as { Records: CmqTriggerRecord[] };
    expect(doc.Records).toHaveLength(1);
    expect(doc.Records[0]!.CMQ).toMatchObject({
      type: 'topic',
      topicName: TOPIC,
      subscriptionName: 'havip-heartbeat',
      msgId: answer.MsgId,
      msgBody: BODY,
    });
    expect(Date.parse(doc.Records[0]!.CMQ.publishTime)).not.toBeNaN();
    // The function's parser reads it: the heartbeat timeout, keyed by the message id.
    expect(parseCmqMessage(events[0]!.event).signals).toEqual([
      expect.objectContaining({ kind: 'heartbeat-timeout', memberId: 'ins-web1', eventId: answer.MsgId }),
    ]);
    expect(cloud.cmq.stats).toMatchObject({ published: 1, delivered: 1, failedDeliveries: 0 });
  });

  it('answers an unknown topic, or a topic of another region, with ResourceNotFound and delivers nothing', async () => {
    const { cloud, sdk, server } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    let delivered = 0;
    cloud.cmq.subscribe(TOPIC, { name: 's', deliver: () => void delivered++ });
    expect((await sdkFailure(sdk.tdmq.PublishCmqMsg({ TopicName: 'nope', MsgContent: BODY }))).code).toBe(
      'ResourceNotFound',
    );
    const shanghai = sdkClients(server.endpoint, TENCENT_TEST_CREDENTIALS, 'ap-shanghai');
    expect((await sdkFailure(shanghai.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY }))).code).toBe(
      'ResourceNotFound',
    );
    await cloud.cmq.drain();
    expect(delivered).toBe(0);
  });

  it('refuses a missing or empty body and unknown parameters', async () => {
    const { cloud, sdk } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    expect((await sdkFailure(sdk.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: '' }))).code).toMatch(
      /^(?:MissingParameter|InvalidParameter)/,
    );
    const odd = sdk.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY, Extra: 1 } as never);
    expect((await sdkFailure(odd)).code).toBe('UnknownParameter');
  });

  it('refuses a wrong key with AuthFailure.SignatureFailure', async () => {
    const { cloud, server } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    const wrong = sdkClients(server.endpoint, { ...TENCENT_TEST_CREDENTIALS, secretKey: 'wrong-key' });
    expect((await sdkFailure(wrong.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY }))).code).toBe(
      'AuthFailure.SignatureFailure',
    );
    expect(cloud.cmq.stats.published).toBe(0);
  });
});

describe("a role's temporary credentials (as the metadata service issues them)", () => {
  const start = useTencentSimulator();
  const role = {
    secretId: 'AKIDtmp0001',
    secretKey: 'temporary-secret-key-0001',
    token: 'token-0001-abcdefgh',
  };

  it('are accepted with their token until they expire, then refused with AuthFailure.TokenFailure', async () => {
    const { cloud, server } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    cloud.addTemporaryCredentials({ ...role, expiresAt: Date.now() + 3_600_000 });
    const client = sdkClients(server.endpoint, role);
    expect((await client.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY })).Result).toBe(true);
    cloud.addTemporaryCredentials({ ...role, expiresAt: Date.now() - 1 });
    expect((await sdkFailure(client.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY }))).code).toBe(
      'AuthFailure.TokenFailure',
    );
    expect(cloud.cmq.stats.published).toBe(1);
  });

  it('are refused with a stale token (another set’s) or none', async () => {
    const { cloud, server } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    cloud.addTemporaryCredentials({ ...role, expiresAt: Date.now() + 3_600_000 });
    for (const token of ['token-0000-previous', undefined]) {
      const client = sdkClients(server.endpoint, { ...role, token });
      expect((await sdkFailure(client.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY }))).code).toBe(
        'AuthFailure.TokenFailure',
      );
    }
    const wrongKey = sdkClients(server.endpoint, { ...role, secretKey: 'not-the-temporary-key' });
    expect((await sdkFailure(wrongKey.tdmq.PublishCmqMsg({ TopicName: TOPIC, MsgContent: BODY }))).code).toBe(
      'AuthFailure.SignatureFailure',
    );
    expect(cloud.cmq.stats.published).toBe(0);
  });
});
