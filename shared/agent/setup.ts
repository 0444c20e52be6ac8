/**
 * What the agent needs before it can start, built from the validated configuration: the secrets (read
 * once), the report sink, the metadata client and the data plane. `havip agent --check` runs exactly this and stops.
 */

import { type CredentialSource, staticCredentials } from '../adapters/metadata/credentials.js';
import {
  createMetadataClient,
  envCredentials,
  type MetadataClient,
  type MetadataCloud,
  roleCredentials,
} from '../adapters/metadata/index.js';
import { createMnsPublisher } from '../adapters/mns/index.js';
import { createCmqPublisher } from '../adapters/tencent/cmq.js';
import { CREDENTIAL_ENV_NAMES, credentialsFromEnvironment } from '../adapters/tencent/credentials.js';
import { InvalidInputError } from '../core/errors.js';
import type { Clock } from '../core/ports.js';
import type { AgentConfig } from './config.js';
import { type DataPlane, linuxDataPlane, simulatorDataPlane } from './dataplane.js';
import type { ApiCredentials } from './heartbeat.js';
import { fixedSecret, loadSecret, type SecretIo, systemSecretIo } from './secrets.js';
import { createHttpSink, createTopicSink, type ReportSink } from './sinks.js';

export interface AgentSecrets {
  /** Group name → HMAC key. */
  readonly groupKeys: ReadonlyMap<string, Uint8Array>;
  readonly sinkToken: string | undefined;
  readonly api: ApiCredentials | undefined;
  /** Files readable by others, to log at start. */
  readonly warnings: readonly string[];
}

export async function loadAgentSecrets(
  config: AgentConfig,
  io: SecretIo = systemSecretIo,
): Promise<AgentSecrets> {
  const warnings: string[] = [];
  const take = async (ref: Parameters<typeof loadSecret>[0], path: string) => {
    const s = await loadSecret(ref, path, io);
    if (s.warning !== undefined) warnings.push(s.warning);
    return s.value;
  };
  const groupKeys = new Map<string, Uint8Array>();
  for (const [i, g] of config.groups.entries())
    groupKeys.set(g.name, Buffer.from(await take(g.key, `groups[${i}].key`), 'utf8'));
  const sink = config.reports.sink;
  const sinkToken =
    sink.type === 'http' && sink.token !== undefined
      ? await take(sink.token, 'reports.sink.token')
      : undefined;
  let api: ApiCredentials | undefined;
  const auth = config.api?.auth;
  if (auth?.bearer !== undefined) api = { kind: 'bearer', token: await take(auth.bearer, 'api.auth.bearer') };
  else if (auth?.hmac !== undefined)
    api = {
      kind: 'hmac',
      keyId: auth.hmac.keyId,
      secret: await take(auth.hmac.secret, 'api.auth.hmac.secret'),
    };
  return { groupKeys, sinkToken, api, warnings };
}

/** What setting up the sink and the metadata reads take from the process. */
export interface SetupIo {
  /** For `credentials: env` (mns: ALIBABA_CLOUD_ACCESS_KEY_ID, …; cmq: TENCENTCLOUD_SECRET_ID, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Pick<Clock, 'now'>;
  readonly fetch?: typeof fetch;
}

/** The instance metadata client of the configured service (its base URL, hardened mode, timeout). */
export function metadataClientFromConfig(
  config: AgentConfig,
  cloud: MetadataCloud,
  io: SetupIo,
): MetadataClient {
  const m = config.metadata;
  return createMetadataClient({
    cloud,
    imds: m.imds,
    timeoutMs: Math.round(m.timeoutSeconds * 1000),
    clock: io.clock,
    ...(m.baseUrl === undefined ? {} : { baseUrl: m.baseUrl }),
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
}

/**
 * The configured sink. `mns` and `cmq` sign with the instance role's STS credentials, read from the
 * metadata service and refreshed before they expire (a failed refresh backs off; see roleCredentials),
 * or with the keys of the environment; retries are the dispatcher's, with backoff.
 */
export function createSinkFromConfig(config: AgentConfig, secrets: AgentSecrets, io: SetupIo): ReportSink {
  const sink = config.reports.sink;
  const timeoutMs = Math.round(config.reports.timeoutSeconds * 1000);
  const common = { timeoutMs, clock: io.clock, ...(io.fetch === undefined ? {} : { fetch: io.fetch }) };
  if (sink.type === 'http')
    return createHttpSink({
      url: sink.url,
      token: secrets.sinkToken === undefined ? undefined : fixedSecret(secrets.sinkToken),
      ...common,
    });
  if (sink.type === 'cmq')
    return createTopicSink(
      createCmqPublisher({
        region: sink.region,
        topic: sink.topic,
        credentials: cmqCredentials(config, sink, io),
        ...(sink.endpoint === undefined ? {} : { endpoint: sink.endpoint }),
        ...common,
      }),
    );
  const credentials =
    sink.credentials === 'env'
      ? envCredentials(io.env)
      : roleCredentials({
          metadata: metadataClientFromConfig(config, 'alibaba', io),
          clock: io.clock,
          ...(sink.roleName === undefined ? {} : { roleName: sink.roleName }),
        });
  return createTopicSink(
    createMnsPublisher({ endpoint: sink.endpoint, topic: sink.topic, credentials, ...common }),
  );
}

type CmqSinkConfig = Extract<AgentConfig['reports']['sink'], { type: 'cmq' }>;

/** The CVM's CAM role credentials from Tencent's metadata service, or the Tencent keys of the environment. */
function cmqCredentials(config: AgentConfig, sink: CmqSinkConfig, io: SetupIo): CredentialSource {
  if (sink.credentials === 'env') {
    const found = credentialsFromEnvironment(io.env);
    const names = CREDENTIAL_ENV_NAMES[0];
    if (found === undefined)
      throw new InvalidInputError('config.invalid', 'no Tencent credentials in the environment', [
        {
          path: names.id,
          message: 'is not set',
          hint: `set ${names.id} and ${names.key} (plus ${names.token} for temporary keys), or attach a CAM role to the instance and use credentials: instance-role`,
        },
      ]);
    return staticCredentials({
      accessKeyId: found.secretId,
      accessKeySecret: found.secretKey,
      securityToken: found.token,
    });
  }
  return roleCredentials({
    metadata: metadataClientFromConfig(config, 'tencent', io),
    clock: io.clock,
    noRoleMessage:
      'no CAM role is attached to this instance; attach one that may call tdmq:PublishCmqMsg on the topic (deploy/tencent-agent-instance-policy.json) or use credentials: env with TENCENTCLOUD_SECRET_ID / _KEY',
    ...(sink.roleName === undefined ? {} : { roleName: sink.roleName }),
  });
}

export function createDataPlaneFromConfig(config: AgentConfig, env?: NodeJS.ProcessEnv): DataPlane {
  const t = config.takeover;
  if (t.dataPlane === 'simulator') return simulatorDataPlane(t.simulatorUrl!, config.instanceId);
  return linuxDataPlane({ ...(env === undefined ? {} : { env }), timeoutMs: 5_000 });
}
