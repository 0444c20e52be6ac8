/**
 * Where each cloud's instance metadata service keeps what the agent reads, and how the answers look.
 * Shared by the client and the simulator so the two cannot drift apart.
 *
 * Alibaba ECS (checked against the ECS "instance metadata" item table, the spot-instance interruption
 * guide and `@alicloud/credentials` 2.4.7 `providers/ecs_ram_role.js`):
 * - base `http://100.100.100.200`; `latest/meta-data/instance-id`;
 * - `latest/meta-data/ram/security-credentials/` lists the attached RAM role's name, and
 *   `…/security-credentials/<role>` answers JSON `{AccessKeyId, AccessKeySecret, SecurityToken,
 *   Expiration, LastUpdated, Code: "Success"}` (ISO 8601 UTC times, six hours apart in the sample);
 * - `latest/meta-data/instance/spot/termination-time`: 404 while the spot instance is not being
 *   reclaimed, else its release time as `yyyy-MM-ddThh:mm:ssZ` (UTC);
 * - hardened ("security hardening", IMDSv2-like) mode: `PUT latest/api/token` with header
 *   `X-aliyun-ecs-metadata-token-ttl-seconds` (the SDK asks for 21600) returns a token, sent back on
 *   every read in `X-aliyun-ecs-metadata-token`. The SDK falls back to plain reads when the token
 *   request fails, unless told that plain mode is disabled.
 *
 * Tencent CVM (checked against the "Querying instance metadata" and "Querying the repossession status
 * of a spot instance" pages and `tencentcloud-sdk-nodejs-common` `cvm_role_credential.js`):
 * - base `http://metadata.tencentyun.com`; `latest/meta-data/instance-id` (e.g. `ins-3g445roi`);
 * - `latest/meta-data/cam/security-credentials/` lists the CAM role's name, `…/<role>` answers JSON
 *   `{TmpSecretId, TmpSecretKey, Token, ExpiredTime (epoch s), Expiration, Code: "Success"}`;
 * - `latest/meta-data/spot/termination-time`: 404 when there is none, else `YYYY-MM-DD hh:mm:ss` in
 *   UTC+8.
 */
import { z } from 'zod';

export type MetadataCloud = 'alibaba' | 'tencent';

export interface MetadataLayout {
  readonly defaultBaseUrl: string;
  readonly instanceIdPath: string;
  /** Ends in `/`: GET lists the role name; append the name for its credentials. */
  readonly rolesPath: string;
  readonly spotTerminationPath: string;
  /** Alibaba's hardened mode only. */
  readonly tokenPath?: string;
}

export const METADATA_LAYOUTS: Readonly<Record<MetadataCloud, MetadataLayout>> = {
  alibaba: {
    defaultBaseUrl: 'http://100.100.100.200',
    instanceIdPath: '/latest/meta-data/instance-id',
    rolesPath: '/latest/meta-data/ram/security-credentials/',
    spotTerminationPath: '/latest/meta-data/instance/spot/termination-time',
    tokenPath: '/latest/api/token',
  },
  tencent: {
    defaultBaseUrl: 'http://metadata.tencentyun.com',
    instanceIdPath: '/latest/meta-data/instance-id',
    rolesPath: '/latest/meta-data/cam/security-credentials/',
    spotTerminationPath: '/latest/meta-data/spot/termination-time',
  },
};

export const TOKEN_TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
export const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
/** The longest token lifetime Alibaba's SDK asks for (6 h). */
export const MAX_TOKEN_TTL_SECONDS = 21_600;

const Success = z.literal('Success');
export const AlibabaRoleCredentials = z.looseObject({
  AccessKeyId: z.string().min(1),
  AccessKeySecret: z.string().min(1),
  SecurityToken: z.string().min(1),
  Expiration: z.iso.datetime({ offset: true }),
  Code: Success,
});
export const TencentRoleCredentials = z.looseObject({
  TmpSecretId: z.string().min(1),
  TmpSecretKey: z.string().min(1),
  Token: z.string().min(1),
  ExpiredTime: z.number().int().positive(),
  Code: Success,
});

export interface RoleCredentialFields {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  readonly expiresAt: number;
}

/** The cloud's JSON answer for a role's credentials; `undefined` when it does not have that shape. */
export function readRoleCredentials(cloud: MetadataCloud, json: unknown): RoleCredentialFields | undefined {
  if (cloud === 'alibaba') {
    const r = AlibabaRoleCredentials.safeParse(json);
    if (!r.success) return undefined;
    return {
      accessKeyId: r.data.AccessKeyId,
      accessKeySecret: r.data.AccessKeySecret,
      securityToken: r.data.SecurityToken,
      expiresAt: Date.parse(r.data.Expiration),
    };
  }
  const r = TencentRoleCredentials.safeParse(json);
  if (!r.success) return undefined;
  return {
    accessKeyId: r.data.TmpSecretId,
    accessKeySecret: r.data.TmpSecretKey,
    securityToken: r.data.Token,
    expiresAt: r.data.ExpiredTime * 1000,
  };
}

/** The JSON document each cloud's metadata service answers for a role's credentials. */
export function writeRoleCredentials(
  cloud: MetadataCloud,
  c: RoleCredentialFields,
  issuedAt: number,
): Record<string, unknown> {
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  if (cloud === 'alibaba') {
    return {
      AccessKeyId: c.accessKeyId,
      AccessKeySecret: c.accessKeySecret,
      Expiration: iso(c.expiresAt),
      SecurityToken: c.securityToken,
      LastUpdated: iso(issuedAt),
      Code: 'Success',
    };
  }
  return {
    TmpSecretId: c.accessKeyId,
    TmpSecretKey: c.accessKeySecret,
    ExpiredTime: Math.floor(c.expiresAt / 1000),
    Expiration: iso(c.expiresAt),
    Token: c.securityToken,
    Code: 'Success',
  };
}

const UTC8_MS = 8 * 60 * 60 * 1000;

/** The spot termination time as each cloud writes it. */
export function formatSpotTermination(cloud: MetadataCloud, epochMs: number): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  if (cloud === 'alibaba') return new Date(whole).toISOString().replace('.000Z', 'Z');
  return new Date(whole + UTC8_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch ms of a spot termination time, or undefined when the text is not a time. */
export function parseSpotTermination(cloud: MetadataCloud, text: string): number | undefined {
  const t = text.trim();
  if (cloud === 'tencent') {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(t);
    if (m) return Date.parse(`${m[1]}T${m[2]}+08:00`);
  }
  if (!z.iso.datetime({ offset: true }).safeParse(t).success) return undefined;
  return Date.parse(t);
}
