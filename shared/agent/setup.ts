/**
 * What the agent needs before it can start, built from the validated configuration: the secrets (read
 * once), the report sink and the data plane. `havip agent --check` runs exactly this and stops.
 */
import { HavipError } from '../core/errors.js';
import type { AgentConfig } from './config.js';
import { type DataPlane, linuxDataPlane, simulatorDataPlane } from './dataplane.js';
import type { ApiCredentials } from './heartbeat.js';
import { fixedSecret, loadSecret, type SecretIo, systemSecretIo } from './secrets.js';
import {
  type CredentialSource,
  createHttpSink,
  createMnsSink,
  type MnsPublisherFactory,
  type ReportSink,
} from './sinks.js';

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

/** The pieces an MNS sink needs from shared/adapters (given by the entry point). */
export interface MnsWiring {
  readonly publisher: MnsPublisherFactory;
  readonly credentials: CredentialSource;
}

export function createSinkFromConfig(
  config: AgentConfig,
  secrets: AgentSecrets,
  mns: MnsWiring | undefined,
): ReportSink {
  const sink = config.reports.sink;
  const timeoutMs = Math.round(config.reports.timeoutSeconds * 1000);
  if (sink.type === 'http')
    return createHttpSink({
      url: sink.url,
      token: secrets.sinkToken === undefined ? undefined : fixedSecret(secrets.sinkToken),
      timeoutMs,
    });
  if (mns === undefined)
    throw new HavipError(
      'agent.sink-unavailable',
      'reports.sink.type mns: the MNS publisher (shared/adapters/mns) is not wired into this build; use reports.sink.type http for now',
    );
  return createMnsSink(
    mns.publisher({ endpoint: sink.endpoint, topic: sink.topic, credentials: mns.credentials }),
  );
}

export function createDataPlaneFromConfig(config: AgentConfig, env?: NodeJS.ProcessEnv): DataPlane {
  const t = config.takeover;
  if (t.dataPlane === 'simulator') return simulatorDataPlane(t.simulatorUrl!, config.instanceId);
  return linuxDataPlane({ ...(env === undefined ? {} : { env }), timeoutMs: 5_000 });
}
