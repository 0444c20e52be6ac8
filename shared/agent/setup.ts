/**
 * What the agent needs before it can start, built from the validated configuration: the secrets (read
 * once), the report sink, the metadata client and the data plane. `havip agent --check` runs exactly this and stops.
 */
import {
  createMetadataClient,
  envCredentials,
  type MetadataClient,
  type MetadataCloud,
  roleCredentials,
} from '../adapters/metadata/index.js';
import { createMnsPublisher } from '../adapters/mns/index.js';
import type { Clock } from '../core/ports.js';
import type { AgentConfig } from './config.js';
import { type DataPlane, linuxDataPlane, simulatorDataPlane } from './dataplane.js';
import type { ApiCredentials } from './heartbeat.js';
import { fixedSecret, loadSecret, type SecretIo, systemSecretIo } from './secrets.js';
import { createHttpSink, createMnsSink, type ReportSink } from './sinks.js';

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
  /** For `credentials: env` (ALIBABA_CLOUD_ACCESS_KEY_ID, …). */
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
 * The configured sink. `mns` signs with the instance role's STS credentials, read from the metadata
 * service and refreshed before they expire (a failed refresh backs off; see roleCredentials), or with
 * the AccessKey of the environment; retries are the dispatcher's, with backoff.
 */
export function createSinkFromConfig(config: AgentConfig, secrets: AgentSecrets, io: SetupIo): ReportSink {
  const sink = config.reports.sink;
  const timeoutMs = Math.round(config.reports.timeoutSeconds * 1000);
  if (sink.type === 'http')
    return createHttpSink({
      url: sink.url,
      token: secrets.sinkToken === undefined ? undefined : fixedSecret(secrets.sinkToken),
      timeoutMs,
      ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    });
  const credentials =
    sink.credentials === 'env'
      ? envCredentials(io.env)
      : roleCredentials({
          metadata: metadataClientFromConfig(config, 'alibaba', io),
          clock: io.clock,
          ...(sink.roleName === undefined ? {} : { roleName: sink.roleName }),
        });
  return createMnsSink(
    createMnsPublisher({
      endpoint: sink.endpoint,
      topic: sink.topic,
      credentials,
      timeoutMs,
      clock: io.clock,
      ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    }),
  );
}

export function createDataPlaneFromConfig(config: AgentConfig, env?: NodeJS.ProcessEnv): DataPlane {
  const t = config.takeover;
  if (t.dataPlane === 'simulator') return simulatorDataPlane(t.simulatorUrl!, config.instanceId);
  return linuxDataPlane({ ...(env === undefined ? {} : { env }), timeoutMs: 5_000 });
}
