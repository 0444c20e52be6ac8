import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { memberId } from '../../../../shared/core/model.js';
import { parseTencentCvmEvent } from '../../../../shared/events/tencent/cvm.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url));

const TIME = 1795162532000;

function apiCall(data: Record<string, unknown>, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    specversion: '1.0',
    id: 'audit-1',
    source: 'cvm.cloud.tencent',
    type: 'cvm:CloudEvent:ApiCall',
    subject: 'qcs::cvm:ap-guangzhou:uin/100000000001:instance/ins-subject1',
    time: TIME,
    region: 'ap-guangzhou',
    data: { eventName: 'StopInstances', errorCode: 0, apiErrorCode: 0, ...data },
    ...over,
  });
}

describe('CloudAudit API calls', () => {
  it('the StopInstances fixture → instance-state Stopping (down), ordered by the event time', () => {
    expect(parseTencentCvmEvent(fixture('tencent-eb-cloudaudit-stopinstances.json'))).toEqual({
      signals: [
        {
          kind: 'instance-state',
          memberId: memberId('ins-demo0001'),
          status: 'Stopping',
          effect: 'down',
          eventId: '8c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
          source: 'eventbridge',
          eventTime: String(TIME),
          sequence: TIME,
        },
      ],
      ignored: [],
    });
  });

  const table: {
    title: string;
    data: Record<string, unknown>;
    over?: Record<string, unknown>;
    expect: string[] | RegExp;
    status?: string;
    effect?: 'down' | 'up';
  }[] = [
    {
      title: 'parameters as an object',
      data: { requestParameters: { InstanceIds: ['ins-a1', 'ins-b2'] } },
      expect: ['ins-a1', 'ins-b2'],
    },
    {
      title: 'the flattened InstanceIds.N form',
      data: { requestParameters: { 'InstanceIds.0': 'ins-a1', 'InstanceIds.1': 'ins-b2' } },
      expect: ['ins-a1', 'ins-b2'],
    },
    {
      title: 'a repeated id counts once',
      data: { requestParameters: { InstanceIds: ['ins-a1', 'ins-a1'] } },
      expect: ['ins-a1'],
    },
    { title: 'no parameters: the subject', data: {}, expect: ['ins-subject1'] },
    {
      title: 'TerminateInstances → Deleted',
      data: { eventName: 'TerminateInstances', requestParameters: { InstanceIds: ['ins-a1'] } },
      expect: ['ins-a1'],
      status: 'Deleted',
    },
    {
      title: 'a console call counts too',
      data: { requestParameters: { InstanceIds: ['ins-a1'] } },
      over: { type: 'cvm:CloudEvent:ConsoleCall' },
      expect: ['ins-a1'],
    },
    {
      title: 'a failed call (apiErrorCode)',
      data: { apiErrorCode: 'InvalidInstanceId.NotFound' },
      expect: /failed/,
    },
    { title: 'an unauthorised call (errorCode)', data: { errorCode: 403 }, expect: /failed \(error 403\)/ },
    {
      title: 'StartInstances → Starting, a sign of life',
      data: { eventName: 'StartInstances', requestParameters: { InstanceIds: ['ins-a1'] } },
      expect: ['ins-a1'],
      status: 'Starting',
      effect: 'up',
    },
    {
      title: 'RebootInstances is not acted on',
      data: { eventName: 'RebootInstances' },
      expect: /not acted on/,
    },
  ];
  it.each(table)('$title', ({ data, over, expect: want, status, effect }) => {
    const r = parseTencentCvmEvent(apiCall(data, over));
    if (want instanceof RegExp) {
      expect(r.signals).toEqual([]);
      expect(r.ignored[0]?.reason).toMatch(want);
      return;
    }
    expect(r.signals.map((s) => s.memberId)).toEqual(want);
    for (const s of r.signals)
      expect(s).toMatchObject({
        kind: 'instance-state',
        status: status ?? 'Stopping',
        effect: effect ?? 'down',
        eventId: 'audit-1',
      });
  });

  const bad: {
    title: string;
    data: Record<string, unknown>;
    over?: Record<string, unknown>;
    path: string;
  }[] = [
    { title: 'eventName missing', data: { eventName: undefined }, path: 'data.eventName' },
    {
      title: 'parameters not JSON',
      data: { requestParameters: '{"InstanceIds":' },
      path: 'data.requestParameters',
    },
    { title: 'parameters a JSON array', data: { requestParameters: '[1]' }, path: 'data.requestParameters' },
    {
      title: 'InstanceIds not a list',
      data: { requestParameters: { InstanceIds: 'ins-a1' } },
      path: 'data.requestParameters.InstanceIds',
    },
    {
      title: 'an Alibaba id',
      data: { requestParameters: { InstanceIds: ['ins-a1', 'i-bp1x'] } },
      path: 'data.requestParameters.InstanceIds[1]',
    },
    {
      title: 'no instance anywhere',
      data: {},
      over: { subject: 'qcs::cvm:ap-guangzhou:uin/1' },
      path: 'data.requestParameters.InstanceIds',
    },
    {
      title: 'more than 100 instances',
      data: { requestParameters: { InstanceIds: Array.from({ length: 101 }, (_, i) => `ins-x${i}`) } },
      path: 'data.requestParameters.InstanceIds',
    },
  ];
  it.each(bad)('bad: $title → $path', ({ data, over, path }) => {
    let error: unknown;
    try {
      parseTencentCvmEvent(apiCall(data, over));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues.map((i) => i.path)).toContain(path);
  });
});
