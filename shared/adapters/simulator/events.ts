/**
 * ECS `Instance:StateChange` events in the shape EventBridge delivers them: a CloudEvents 1.0 envelope
 * (`id`, `source: "acs.ecs"`, `type: "ecs:Instance:StateChange"`, `subject: "acs:ecs:<region>:<uid>:instance/<id>"`,
 * `time`, the `aliyun*` extension attributes) whose `data` is the ECS notification's content
 * (`{ resourceId, resourceType: "ALIYUN::ECS::Instance", state }`).
 */

export type SimInstanceEventState = 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Deleted';

export interface SimEcsStateChangeEvent {
  readonly id: string;
  readonly source: 'acs.ecs';
  readonly specversion: '1.0';
  readonly type: 'ecs:Instance:StateChange';
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json;charset=utf-8';
  readonly aliyunaccountid: string;
  readonly aliyunpublishtime: string;
  readonly aliyuneventbusname: 'default';
  readonly aliyunregionid: string;
  readonly aliyunpublishaddr: string;
  readonly data: {
    readonly resourceId: string;
    readonly resourceType: 'ALIYUN::ECS::Instance';
    readonly state: SimInstanceEventState;
  };
}

/** A sink receives every event synchronously, in order; a throwing sink does not affect the others. */
export type SimEventSink = (event: SimEcsStateChangeEvent) => void;

export function ecsStateChangeEvent(args: {
  id: string;
  accountId: string;
  regionId: string;
  instanceId: string;
  state: SimInstanceEventState;
  at: number;
}): SimEcsStateChangeEvent {
  const time = new Date(args.at).toISOString();
  return {
    id: args.id,
    source: 'acs.ecs',
    specversion: '1.0',
    type: 'ecs:Instance:StateChange',
    subject: `acs:ecs:${args.regionId}:${args.accountId}:instance/${args.instanceId}`,
    time,
    datacontenttype: 'application/json;charset=utf-8',
    aliyunaccountid: args.accountId,
    aliyunpublishtime: time,
    aliyuneventbusname: 'default',
    aliyunregionid: args.regionId,
    aliyunpublishaddr: '127.0.0.1',
    data: { resourceId: args.instanceId, resourceType: 'ALIYUN::ECS::Instance', state: args.state },
  };
}
