/**
 * `havip sim --cloud tencent`: serve the Tencent Cloud VPC/CVM/TAT simulator (API 3.0, TC3 signatures)
 * on 127.0.0.1. It accepts one key pair: the one given with --secret-id/--secret-key, else a pair made
 * up at start and printed (any other pair is answered with AuthFailure.SignatureFailure). It also serves
 * the CMQ topic `havip-heartbeats` for agents' `cmq` sink and prints what is published to it.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import {
  type SimulatorServer,
  startTencentSimulatorServer,
  type TencentSimCredentials,
  type TencentSimSeed,
  TencentSimulatedCloud,
  tencentDemoSeed,
  tencentSeedFromTopology,
} from '../../shared/adapters/tencent-simulator/index.js';
import { InvalidInputError } from '../../shared/core/errors.js';

export interface TencentSimOptions {
  /** 0 = any free port. */
  readonly port: number;
  /** A Tencent topology (YAML/JSON) or a Tencent simulator seed (JSON with `regions`); the demo world when absent. */
  readonly seedFile?: string;
  readonly transitionMs: number;
  readonly attach: 'highest' | 'none';
  /** The key pair to accept; made up when absent. */
  readonly credentials?: TencentSimCredentials;
}

export interface RunningTencentSim {
  readonly cloud: TencentSimulatedCloud;
  readonly server: SimulatorServer;
  readonly credentials: TencentSimCredentials;
  close(): Promise<void>;
}

/** A seed JSON (top-level `regions`) as is; anything else as a topology document with Tencent groups. */
export async function loadTencentSimSeed(file: string, attach: 'highest' | 'none'): Promise<TencentSimSeed> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new InvalidInputError('simulator.seed-invalid', `${file} is neither JSON nor YAML`, [
      { path: '', message: e instanceof Error ? e.message : String(e) },
    ]);
  }
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { regions?: unknown }).regions))
    return doc as TencentSimSeed;
  return tencentSeedFromTopology(doc, { attach });
}

/** The CMQ topic the simulator serves, named as the deployment guide names the heartbeat topic. */
export const SIM_CMQ_TOPIC = 'havip-heartbeats';

/** A key pair for this run only (local, never a real Tencent key). */
function madeUpCredentials(): TencentSimCredentials {
  return {
    secretId: `AKIDsim${randomBytes(12).toString('hex')}`,
    secretKey: randomBytes(16).toString('hex'),
  };
}

export async function startTencentSim(
  opts: TencentSimOptions,
  print: (line: string) => void,
): Promise<RunningTencentSim> {
  const seed =
    opts.seedFile === undefined ? tencentDemoSeed() : await loadTencentSimSeed(opts.seedFile, opts.attach);
  const credentials = opts.credentials ?? madeUpCredentials();
  const cloud = new TencentSimulatedCloud(seed, { transitionDelayMs: opts.transitionMs, credentials });
  const server = await startTencentSimulatorServer({ cloud, port: opts.port });
  const snap = cloud.snapshot();
  const region = snap.regions[0] ?? 'ap-guangzhou';
  print(`Tencent Cloud VPC / CVM (2017-03-12) and TAT (2020-10-28) simulator listening on ${server.url}`);
  print(
    `world: ${opts.seedFile ?? 'built-in demo'} — ${snap.regions.length} region(s), ${snap.instances.length} instance(s), ` +
      `${snap.networkInterfaces.length} ENI(s), ${snap.haVips.length} HAVIP(s), ${snap.eips.length} EIP(s); transitions take ${opts.transitionMs} ms`,
  );
  print(`credentials it accepts: SecretId ${credentials.secretId}  SecretKey ${credentials.secretKey}`);
  print('SDK config (tencentcloud-sdk-nodejs vpc/cvm/tat/tdmq clients):');
  print(
    `  { credential: { secretId: '${credentials.secretId}', secretKey: '${credentials.secretKey}' }, region: '${region}', ` +
      `profile: { httpProfile: { endpoint: '${server.endpoint}', protocol: 'http://' } } }`,
  );
  print(
    `admin: curl ${server.url}/__admin/state   (faults: POST ${server.url}/__admin/faults/..., see docs/tencent.md)`,
  );
  // The topic the agents' cmq sink publishes to; standalone, nothing consumes it: each message is printed.
  cloud.cmq.createTopic(SIM_CMQ_TOPIC, region);
  const unsubscribe = cloud.cmq.subscribe(SIM_CMQ_TOPIC, {
    name: 'havip-sim-print',
    deliver: (_event, { CMQ: m }) => print(`cmq ${m.topicName} ${m.msgId}: ${m.msgBody.slice(0, 300)}`),
  });
  print(
    `CMQ topic (PublishCmqMsg, tdmq 2020-02-17): ${SIM_CMQ_TOPIC} in ${region}; each message it gets is printed`,
  );
  const offState = cloud.onStateChange((e) => print(`event ${e.time} ${e.instanceId} ${e.state}`));
  const off = () => {
    unsubscribe();
    offState();
  };
  return {
    cloud,
    server,
    credentials,
    close: async () => {
      off();
      await server.close();
    },
  };
}
