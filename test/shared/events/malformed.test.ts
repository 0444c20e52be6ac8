/**
 * Malformed inputs across every parser: each must throw a typed error with a stable code and an issue
 * at the exact path, and the rendered message must name that path so an operator can find it.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { parseEcsEvent } from '../../../shared/events/ecs.js';
import { fcHttpEventToRequest } from '../../../shared/events/http.js';
import { parseHeartbeatMessage } from '../../../shared/events/mns.js';
import { parseTimerEvent } from '../../../shared/events/timer.js';

const malformed = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/events/malformed/${name}`, import.meta.url));
const J = (v: unknown): string => JSON.stringify(v);

const ce = (extra: Record<string, unknown>) => ({
  id: 'e1',
  source: 'acs.ecs',
  specversion: '1.0',
  type: 'ecs:Instance:StateChange',
  data: { resourceId: 'i-abc', state: 'Stopped' },
  ...extra,
});
const env = (message: unknown, extra: Record<string, unknown> = {}) =>
  J({ Message: message, MessageId: 'm1', TopicName: 't', ...extra });
const hb = (extra: Record<string, unknown>) =>
  env(J({ type: 'heartbeat.timeout', instanceId: 'i-abc', ...extra }));
const alarm = (extra: Record<string, unknown>) => env(J({ curLevel: 'CRITICAL', ...extra }));
const timer = (payload: unknown, extra: Record<string, unknown> = {}) =>
  J({ triggerTime: 't', triggerName: 'n', payload, ...extra });
const http = (extra: Record<string, unknown>, ctx: Record<string, unknown> = {}) => ({
  rawPath: '/v1/groups',
  body: '',
  isBase64Encoded: false,
  headers: {},
  queryParameters: {},
  requestContext: { domainName: 'h.example', http: { method: 'POST' }, ...ctx },
  ...extra,
});
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

interface Case {
  readonly name: string;
  readonly run: () => unknown;
  /** The exact issue path; `''` is the whole document. */
  readonly path: string;
  readonly code?: string;
}

const cases: Case[] = [
  // ECS events
  { name: 'ecs: truncated JSON', run: () => parseEcsEvent(malformed('ecs-truncated.json')), path: '' },
  { name: 'ecs: empty body', run: () => parseEcsEvent(''), path: '' },
  { name: 'ecs: invalid UTF-8', run: () => parseEcsEvent(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), path: '' },
  { name: 'ecs: body over 256 KiB', run: () => parseEcsEvent(' '.repeat(256 * 1024 + 1)), path: '' },
  {
    name: 'ecs: batch of 101',
    run: () => parseEcsEvent(J(Array.from({ length: 101 }, () => ce({})))),
    path: '',
  },
  {
    name: 'ecs: batch over maxBatch',
    run: () => parseEcsEvent(J([ce({}), ce({}), ce({})]), { maxBatch: 2 }),
    path: '',
  },
  { name: 'ecs: a JSON number', run: () => parseEcsEvent('42'), path: '' },
  {
    name: 'ecs: state is a number',
    run: () => parseEcsEvent(malformed('ecs-statechange-state-number.json')),
    path: 'data.state',
  },
  {
    name: 'ecs: upper-case instance id',
    run: () => parseEcsEvent(malformed('ecs-bad-instance-id.json')),
    path: 'content.resourceId',
  },
  {
    name: 'ecs: __proto__ key',
    run: () => parseEcsEvent(malformed('ecs-proto-pollution.json')),
    path: 'data.__proto__',
  },
  {
    name: 'ecs: constructor key inside a batch element',
    run: () => parseEcsEvent(J([ce({}), ce({ data: { constructor: { prototype: {} }, state: 'Stopped' } })])),
    path: '[1].data.constructor',
  },
  { name: 'ecs: missing id', run: () => parseEcsEvent(J(ce({ id: undefined }))), path: 'id' },
  { name: 'ecs: type is a number', run: () => parseEcsEvent(J(ce({ type: 7 }))), path: 'type' },
  { name: 'ecs: unrecognised object', run: () => parseEcsEvent('{"foo":1}'), path: '' },
  {
    name: 'ecs: data is a non-JSON string',
    run: () => parseEcsEvent(J(ce({ data: 'Stopped' }))),
    path: 'data',
  },
  { name: 'ecs: data missing', run: () => parseEcsEvent(J(ce({ data: undefined }))), path: 'data' },
  {
    name: 'ecs: no instance id anywhere',
    run: () => parseEcsEvent(J(ce({ data: { state: 'Stopped' } }))),
    path: 'data.resourceId',
  },
  {
    name: 'ecs: bad instance id in subject',
    run: () =>
      parseEcsEvent(
        J(
          ce({
            type: 'ecs:Instance:SystemMaintenance.Reboot',
            data: { eventStatus: 'Scheduled' },
            subject: 'acs:ecs:r:1:instance/i-BAD',
          }),
        ),
      ),
    path: 'subject',
  },
  { name: 'ecs: nesting too deep', run: () => parseEcsEvent(nested(40)), path: '[0]'.repeat(32) },
  {
    name: 'ecs: CloudMonitor product is a number',
    run: () => parseEcsEvent(J({ id: 'c', product: 1, name: 'Instance:StateChange' })),
    path: 'product',
  },
  {
    name: 'ecs: maintenance notBefore is a number',
    run: () =>
      parseEcsEvent(
        J(ce({ type: 'ecs:Instance:SystemMaintenance.Reboot', data: { instanceId: 'i-a', notBefore: 5 } })),
      ),
    path: 'data.notBefore',
  },
  // MNS messages
  {
    name: 'mns: Message is an object',
    run: () => parseHeartbeatMessage(malformed('mns-envelope-message-not-string.json')),
    path: 'Message',
  },
  {
    name: 'mns: unknown heartbeat type',
    run: () => parseHeartbeatMessage(malformed('mns-heartbeat-unknown-type.json')),
    path: 'Message.type',
  },
  {
    name: 'mns: bad instance id',
    run: () => parseHeartbeatMessage(hb({ instanceId: 'web-1' })),
    path: 'Message.instanceId',
  },
  {
    name: 'mns: lastSeenAt not ISO',
    run: () => parseHeartbeatMessage(hb({ lastSeenAt: 'yesterday' })),
    path: 'Message.lastSeenAt',
  },
  {
    name: 'mns: Message neither JSON nor Base64',
    run: () => parseHeartbeatMessage(env('hello world!')),
    path: 'Message',
  },
  {
    name: 'mns: Message is Base64 of non-JSON',
    run: () => parseHeartbeatMessage(env(Buffer.from('just text').toString('base64'))),
    path: 'Message',
  },
  {
    name: 'mns: JSON format but body not JSON',
    run: () => parseHeartbeatMessage('plain text', { format: 'JSON' }),
    path: '',
  },
  {
    name: 'mns: STREAM body not decodable',
    run: () => parseHeartbeatMessage('%%%', { format: 'STREAM' }),
    path: '',
  },
  {
    name: 'mns: JSON format without Message',
    run: () => parseHeartbeatMessage('{"MessageId":"x"}', { format: 'JSON' }),
    path: 'Message',
  },
  {
    name: 'mns: alarm resources unreadable',
    run: () => parseHeartbeatMessage(alarm({ resources: 'oops' })),
    path: 'Message.resources',
  },
  {
    name: 'mns: alarm names no instance',
    run: () => parseHeartbeatMessage(alarm({ metricName: 'x' })),
    path: 'Message.resources',
  },
  {
    name: 'mns: alarm dimensions with a bad id',
    run: () => parseHeartbeatMessage(alarm({ dimensions: '{userId=1, instanceId=host-1}' })),
    path: 'Message.dimensions.instanceId',
  },
  {
    name: 'mns: alarm curLevel is a number',
    run: () => parseHeartbeatMessage(env(J({ curLevel: 3 }))),
    path: 'Message.curLevel',
  },
  { name: 'mns: unrecognised message', run: () => parseHeartbeatMessage('{"hello":"world"}'), path: '' },
  {
    name: 'mns: empty MessageId',
    run: () => parseHeartbeatMessage(env(J({ type: 'heartbeat.ok', instanceId: 'i-a' }), { MessageId: '' })),
    path: 'MessageId',
  },
  {
    name: 'mns: __proto__ inside the message',
    run: () => parseHeartbeatMessage(env('{"type":"heartbeat.ok","instanceId":"i-a","__proto__":{}}')),
    path: 'Message.__proto__',
  },
  // Timer events
  {
    name: 'timer: payload not JSON',
    run: () => parseTimerEvent(malformed('timer-payload-not-json.json')),
    path: 'payload',
  },
  {
    name: 'timer: misspelt key',
    run: () => parseTimerEvent(timer('{"group":["a"]}')),
    path: 'payload.group',
  },
  { name: 'timer: empty groups', run: () => parseTimerEvent(timer('{"groups":[]}')), path: 'payload.groups' },
  {
    name: 'timer: group name is a number',
    run: () => parseTimerEvent(timer('{"groups":["a",2]}')),
    path: 'payload.groups[1]',
  },
  {
    name: 'timer: sweep and groups together',
    run: () => parseTimerEvent(timer('{"sweep":"all","groups":["a"]}')),
    path: 'payload',
  },
  {
    name: 'timer: unknown sweep value',
    run: () => parseTimerEvent(timer('{"sweep":"some"}')),
    path: 'payload.sweep',
  },
  {
    name: 'timer: triggerName is a number',
    run: () => parseTimerEvent(timer('', { triggerName: 5 })),
    path: 'triggerName',
  },
  { name: 'timer: body is an array', run: () => parseTimerEvent('[]'), path: '' },
  { name: 'timer: payload is a JSON array', run: () => parseTimerEvent(timer('["a"]')), path: 'payload' },
  // HTTP trigger events
  {
    name: 'http: method missing',
    run: () => fcHttpEventToRequest(malformed('http-missing-method.json')),
    path: 'requestContext.http.method',
  },
  {
    name: 'http: method with a space',
    run: () => fcHttpEventToRequest(http({}, { http: { method: 'GE T' } })),
    path: 'requestContext.http.method',
  },
  {
    name: 'http: body not Base64',
    run: () => fcHttpEventToRequest(http({ body: 'not base64!', isBase64Encoded: true })),
    path: 'body',
  },
  {
    name: 'http: body over the limit',
    run: () => fcHttpEventToRequest(http({ body: 'x'.repeat(11) }), { maxBodyBytes: 10 }),
    path: 'body',
    code: 'http.payload-too-large',
  },
  {
    name: 'http: rawPath without a slash',
    run: () => fcHttpEventToRequest(http({ rawPath: 'v1/groups' })),
    path: 'rawPath',
  },
  {
    name: 'http: header value is a number',
    run: () => fcHttpEventToRequest(http({ headers: { 'X-Count': 3 } })),
    path: 'headers["X-Count"]',
  },
  {
    name: 'http: invalid header name',
    run: () => fcHttpEventToRequest(http({ headers: { 'bad header': 'v' } })),
    path: 'headers["bad header"]',
  },
  {
    name: 'http: domainName with a path',
    run: () => fcHttpEventToRequest(http({}, { domainName: 'evil/x' })),
    path: 'requestContext.domainName',
  },
  { name: 'http: event not JSON', run: () => fcHttpEventToRequest('{"version":'), path: '' },
];

describe('malformed inputs are rejected with a stable code and the exact path', () => {
  it('covers at least 25 malformed inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name → $path', ({ run, path, code }) => {
    let caught: unknown;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const err = caught as InvalidInputError;
    expect(err.code).toBe(code ?? 'event.invalid');
    expect(err.retryable).toBe(false);
    expect(err.issues.map((i) => i.path)).toContain(path);
    // The rendered message names the path (the root renders as "(root)").
    expect(err.message).toContain(`  - ${path === '' ? '(root)' : path}: `);
  });
});

describe('no input crashes a parser', () => {
  const parsers: [string, (body: string) => unknown][] = [
    ['ecs', (b) => parseEcsEvent(b)],
    ['mns', (b) => parseHeartbeatMessage(b)],
    ['timer', (b) => parseTimerEvent(b)],
    ['http', (b) => fcHttpEventToRequest(b)],
  ];
  it.each(parsers)('%s: arbitrary JSON or text yields a result or an InvalidInputError', (_name, parse) => {
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({
          id: fc.string(),
          source: fc.constant('acs.ecs'),
          specversion: fc.constant('1.0'),
          type: fc.string(),
          data: fc.jsonValue(),
        })
        .map(J),
      fc.record({ Message: fc.oneof(fc.string(), fc.json()), MessageId: fc.string() }).map(J),
      fc.record({ payload: fc.oneof(fc.string(), fc.json()) }).map(J),
    );
    fc.assert(
      fc.property(body, (b) => {
        try {
          parse(b);
        } catch (e) {
          if (!(e instanceof InvalidInputError)) throw e;
        }
      }),
      { seed: 20261120, numRuns: 400 },
    );
  });
});
