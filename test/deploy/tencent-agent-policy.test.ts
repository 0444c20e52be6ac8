/**
 * The CAM role of the host agent on Tencent (deploy/tencent-agent-instance-policy.json) may publish to the
 * heartbeat topic and do nothing else: one action, `tdmq:PublishCmqMsg`, on that one topic, in the
 * six-segment form TDMQ for CMQ's CAM page gives for it (`qcs::tdmq:${region}:uin/${uin}:topic/${topicName}`).
 * The topic is the one the deployment guide creates and subscribes havip-heartbeat to, and the one the
 * local mode's agents publish to; only CVM instances may assume the role; and havip-heartbeat gets the
 * agents' group keys, which verify the reports it now receives.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CMQ_TOPIC_RE, PUBLISH_CMQ_ACTION } from '../../shared/adapters/tencent/cmq.js';
import { LOCAL_TOPIC } from '../../shared/app/local-reports.js';
import { CamPolicy } from '../support/cam-policy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** The topic the deployment guide exports for serverless.yml's CMQ trigger. */
const guideTopic = (): string => {
  const m = /HAVIP_HEARTBEAT_TOPIC=([A-Za-z][A-Za-z0-9_-]*)/.exec(read('docs/tencent-deployment.md'));
  expect(m).not.toBeNull();
  return m![1]!;
};

describe('the agent instance role on Tencent', () => {
  const policy = CamPolicy.parse(JSON.parse(read('deploy/tencent-agent-instance-policy.json')));

  it('grants exactly tdmq:PublishCmqMsg, the action the cmq sink calls', () => {
    expect(policy.statement.flatMap((s) => s.action)).toEqual([`tdmq:${PUBLISH_CMQ_ACTION}`]);
  });

  it('on the heartbeat topic only, in the documented resource form', () => {
    const resources = policy.statement.flatMap((s) => s.resource ?? []);
    expect(resources).toHaveLength(1);
    const m = /^qcs::tdmq:([a-z0-9-]+|\*):uin\/([0-9]+|\*):topic\/(.+)$/.exec(resources[0]!);
    expect(m, resources[0]).not.toBeNull();
    const topic = m![3]!;
    expect(topic).toMatch(CMQ_TOPIC_RE);
    expect(topic).toBe(guideTopic());
    expect(topic).toBe(LOCAL_TOPIC);
  });

  it('can be assumed by CVM instances only', () => {
    expect(CamPolicy.parse(JSON.parse(read('deploy/tencent-agent-instance-trust-policy.json')))).toEqual({
      version: '2.0',
      statement: [
        { effect: 'allow', action: ['name/sts:AssumeRole'], principal: { service: ['cvm.qcloud.com'] } },
      ],
    });
  });

  it('havip-heartbeat, which receives the reports, has the agents’ group keys', () => {
    const yml = parse(read('serverless.yml')) as {
      inputs: { functions: Record<string, { name: string; environment?: { key: string; value: string }[] }> };
    };
    const heartbeat = Object.values(yml.inputs.functions).find((f) => f.name === 'havip-heartbeat');
    expect(heartbeat?.environment).toContainEqual({
      key: 'HAVIP_AGENT_KEYS',
      // serverless.yml's own ${env:…} reference, not a JavaScript template.
      value: ['$', '{env:HAVIP_AGENT_KEYS}'].join(''),
    });
  });
});
