/**
 * The instance RAM role of the host agent (deploy/agent-instance-policy.json) may publish to the heartbeat
 * topic and do nothing else: one action, on that one topic's messages, in the resource form MNS's RAM
 * table uses (`acs:mns:$region:$accountid:/topics/$topicName/messages`). The topic is the one s.yaml
 * subscribes the on-heartbeat function to, and the resource path is the one the publisher signs.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { topicMessagesPath } from '../../shared/adapters/mns/signature.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

const Policy = z.strictObject({
  Version: z.literal('1'),
  Statement: z
    .array(
      z.strictObject({
        Effect: z.literal('Allow'),
        Action: z.array(z.string()).min(1),
        Resource: z.union([z.string(), z.array(z.string()).min(1)]),
      }),
    )
    .min(1),
});
const heartbeatTopic = (): string => {
  const vars = (parse(read('s.yaml')) as { vars?: { heartbeatTopic?: unknown } }).vars;
  expect(typeof vars?.heartbeatTopic).toBe('string');
  return vars!.heartbeatTopic as string;
};

describe('the agent instance role', () => {
  const policy = Policy.parse(JSON.parse(read('deploy/agent-instance-policy.json')));
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

  it('grants exactly mns:PublishMessage', () => {
    expect(policy.Statement.flatMap((s) => s.Action)).toEqual(['mns:PublishMessage']);
  });

  it("on the heartbeat topic's messages only, the path the publisher signs", () => {
    const resources = policy.Statement.flatMap((s) => list(s.Resource));
    const topic = heartbeatTopic();
    expect(resources).toEqual([`acs:mns:*:*:${topicMessagesPath(topic)}`]);
    expect(resources[0]).toMatch(/^acs:mns:[^:]*:[^:]*:\/topics\/[A-Za-z0-9-]+\/messages$/);
    // The trigger in s.yaml reads the same topic.
    expect(read('s.yaml')).toMatch(
      /sourceArn: acs:mns:\$\{vars\.region\}:[^\n]*:\/topics\/\$\{vars\.heartbeatTopic\}/,
    );
  });

  it('can be assumed by ECS instances only', () => {
    expect(JSON.parse(read('deploy/agent-instance-trust-policy.json'))).toEqual({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } },
      ],
    });
  });
});
