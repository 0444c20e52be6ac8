/**
 * The CloudAudit events a real account's EventBridge delivers for CVM write calls, as the simulator's
 * CVM emits them: `StopInstances` and `StartInstances` through the API are `cvm:CloudEvent:ApiCall`s, a
 * stop or start by an operator (the admin route, standing in for the console) `cvm:CloudEvent:ConsoleCall`s. Tencent documents no
 * event for a plain stop besides these (TENCENT-FACTS), so a rule on them is how production hears of a
 * stopped member early; local mode delivers them to the `havip-cvm-events` handler the same way.
 *
 * The shape is the one `test/fixtures/events/tencent-eb-cloudaudit-stopinstances.json` documents and
 * `shared/events/tencent/cloud-audit.ts` reads: the CloudEvents envelope from `cvm.cloud.tencent`, the
 * CloudAudit record in `data` with `requestParameters` as JSON text, `errorCode` and `apiErrorCode` 0.
 */
import { EventBus, type EventSink } from '../simulator/common/event-bus.js';
import { counterId } from '../simulator/common/random.js';

export type CloudAuditCallType = 'ApiCall' | 'ConsoleCall';

/** One EventBridge CloudEvent carrying a CloudAudit record of a successful CVM call. */
export interface TencentCloudAuditEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: 'cvm.cloud.tencent';
  readonly type: `cvm:CloudEvent:${CloudAuditCallType}`;
  readonly subject: string;
  /** Epoch milliseconds, as in most of Tencent's samples. */
  readonly time: number;
  readonly region: string;
  readonly datacontenttype: 'application/json;charset=utf-8';
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CloudAuditCall {
  readonly eventName: 'StopInstances' | 'StartInstances';
  readonly callType: CloudAuditCallType;
  readonly region: string;
  readonly instanceIds: readonly string[];
  /** The API answer's RequestId; a console call gets one of its own. */
  readonly requestId?: string;
  readonly at: number;
}

/** The simulated account: the `uin` resources are named with (a made-up one, as in the fixtures). */
const UIN = '100000000001';
const CAM_USER = '100000000002';
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export class CloudAuditEvents {
  private readonly bus = new EventBus<TencentCloudAuditEvent>(500);
  private seq = 0;

  /** Records one successful call and hands its event to every subscriber. */
  record(call: CloudAuditCall): TencentCloudAuditEvent {
    const n = ++this.seq;
    const requestId = call.requestId ?? counterId(5, n).toLowerCase();
    const event = cloudAuditEvent(
      { ...call, requestId },
      counterId(3, n).toLowerCase(),
      counterId(4, n).toLowerCase(),
    );
    this.bus.publish(event);
    return event;
  }

  subscribe(sink: EventSink<TencentCloudAuditEvent>): () => void {
    return this.bus.subscribe(sink);
  }

  recent(): readonly TencentCloudAuditEvent[] {
    return this.bus.recentEvents();
  }
}

export function cloudAuditEvent(
  call: CloudAuditCall & { readonly requestId: string },
  id: string,
  auditId: string,
): TencentCloudAuditEvent {
  const first = call.instanceIds[0] ?? '';
  return {
    specversion: '1.0',
    id,
    source: 'cvm.cloud.tencent',
    type: `cvm:CloudEvent:${call.callType}`,
    subject: `qcs::cvm:${call.region}:uin/${UIN}:instance/${first}`,
    time: call.at,
    region: call.region,
    datacontenttype: 'application/json;charset=utf-8',
    data: {
      eventVersion: 2,
      eventName: call.eventName,
      eventSource: 'cvm.tencentcloudapi.com',
      eventType: call.callType,
      eventRegion: call.region,
      // CloudAudit writes its time in Beijing time (UTC+8), without a zone.
      eventTime: new Date(call.at + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' '),
      actionType: 'Write',
      apiVersion: '2017-03-12',
      errorCode: 0,
      apiErrorCode: 0,
      requestID: call.requestId,
      eventID: auditId,
      requestParameters: JSON.stringify({ InstanceIds: call.instanceIds }),
      userIdentity: { type: 'CAMUser', principalId: CAM_USER },
    },
  };
}
