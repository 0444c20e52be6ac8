/**
 * The client verbs: `havip status | plan | failover | drain | undrain | history | heartbeat`. Each one
 * is a single call to the HTTP API (local server or the FC HTTP trigger).
 *
 * Exit codes: 0 success; 1 the operation ran but failed, was refused, or the switch is not finished
 * (HTTP 202/409/5xx); 2 the command could not run (usage, authentication, bad input, unreachable server).
 */
import type { Command } from 'commander';
import type {
  DrainResponse,
  ErrorBody,
  GroupListResponse,
  GroupStatusResponse,
  HeartbeatResponse,
  HistoryResponse,
  ResultResponse,
} from '../../shared/app/http/responses.js';
import type { ErrorCode } from '../../shared/core/errors.js';
import {
  ClientUsageError,
  ConnectionError,
  credentialsFromEnv,
  DEFAULT_ENDPOINT,
  HttpClient,
  ProtocolError,
} from '../http-client.js';
import { ExitCode, type ExitCodeSink, printJson, printTable, type Sink } from '../output.js';

/** Where the verbs read settings and write output; tests substitute these. */
export interface ClientIo {
  readonly out: Sink;
  readonly err: Sink;
  readonly env: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
}

/** Options every client verb takes. */
export interface CommonOptions {
  readonly endpoint?: string;
  readonly json?: boolean;
  readonly timeout?: string;
}

/** An operation that ran and failed or was refused. */
const FAILED = ExitCode.FINDINGS;

// -------------------------------------------------------------------------------------------------
// Response shapes: the API's own types (type-only, so nothing of the server is loaded)

type Decision = NonNullable<ResultResponse['decision']>;

const isErrorBody = (b: unknown): b is ErrorBody =>
  typeof b === 'object' &&
  b !== null &&
  typeof (b as ErrorBody).error?.code === 'string' &&
  typeof (b as { status?: unknown }).status !== 'string';

// -------------------------------------------------------------------------------------------------
// Running one call

interface Call {
  readonly verb: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

/**
 * Makes the call and prints the answer. `render` prints a successful (or result-carrying) body for humans
 * and returns the exit code; error bodies are printed here.
 */
async function run(
  call: Call,
  opts: CommonOptions,
  io: ClientIo,
  render: (body: unknown, status: number) => ExitCode,
): Promise<ExitCode> {
  const fail = (message: string, hint?: string): ExitCode => {
    io.err.write(`havip ${call.verb}: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
    return ExitCode.USAGE;
  };
  let client: HttpClient;
  try {
    const timeout = parseTimeout(opts.timeout);
    client = new HttpClient({
      endpoint: opts.endpoint ?? io.env.HAVIP_ENDPOINT ?? DEFAULT_ENDPOINT,
      credentials: credentialsFromEnv(io.env),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
  } catch (e) {
    if (e instanceof ClientUsageError) return fail(e.message, e.hint);
    throw e;
  }
  let status: number;
  let body: unknown;
  try {
    ({ status, body } = await client.request(call.method, call.path, call.body));
  } catch (e) {
    if (e instanceof ConnectionError) return fail(e.message);
    if (e instanceof ProtocolError) return fail(e.message);
    throw e;
  }
  if (opts.json) printJson(body ?? null, io.out);
  if (isErrorBody(body)) {
    const { code, message, issues } = body.error;
    // The message already lists the issues; print it once, then what to do.
    io.err.write(`havip ${call.verb}: ${message} [${code}, HTTP ${status}]\n`);
    if (status === 401) {
      const hint =
        client.credentials.kind === 'none'
          ? 'set HAVIP_API_TOKEN (or HAVIP_HMAC_KEY_ID and HAVIP_HMAC_SECRET) in the environment'
          : 'check the token or key in the environment against the server configuration';
      io.err.write(`hint: ${hint}\n`);
      return ExitCode.USAGE;
    }
    if (status === 403) {
      io.err.write(
        "hint: this credential's role (or an agent's binding) does not allow the request; failover, drain and undrain need an operator credential (docs/http-api.md#roles)\n",
      );
    }
    if (issues === undefined && status === 404 && code === ('http.not-found' satisfies ErrorCode)) {
      io.err.write('hint: is --endpoint the havip API (and is it the same version as this CLI)?\n');
    }
    return status >= 400 && status < 500 && status !== 409 ? ExitCode.USAGE : FAILED;
  }
  if (opts.json) return exitForStatus(status);
  return render(body, status);
}

function exitForStatus(status: number): ExitCode {
  return status === 200
    ? ExitCode.OK
    : status >= 400 && status < 500 && status !== 409
      ? ExitCode.USAGE
      : FAILED;
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) {
    throw new ClientUsageError(
      `--timeout must be a whole number of seconds ≥ 1, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value) * 1000;
}

function parseCount(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ClientUsageError(
      `${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

const seg = (s: string) => encodeURIComponent(s);

// -------------------------------------------------------------------------------------------------
// Rendering

function describeDecision(d: Decision | undefined): string {
  if (d === undefined) return 'no decision';
  switch (d.kind) {
    case 'noop':
      return `noop (holder ${d.holder ?? 'none'})`;
    case 'attach':
      return `attach ${d.target}${d.forced ? ' (forced)' : ''}`;
    case 'move':
      return `move ${d.from} → ${d.to}${d.cause ? ` (${d.cause}${d.forced ? ', forced' : ''})` : ''}`;
    case 'repair-split-brain':
      return `keep ${d.keep}, detach ${(d.detach ?? []).join(', ')}`;
    case 'alert':
      return `alert ${d.alert ?? ''}`.trim();
    default:
      // A newer server may decide in ways this CLI does not know yet.
      return (d as { kind: string }).kind;
  }
}

const STATUS_NOTES: Record<string, string> = {
  'switch-incomplete':
    'the HaVip is bound to the new holder but it has not announced the address yet; check its agent (havip heartbeat) and retry',
  unverified: 'bound; announce is "none", so the data-plane takeover is not verified',
  busy: 'another invocation holds the group lease; it (or the next sweep) will act; retry shortly',
  fenced: 'a newer invocation took over the group while this one ran; see havip status',
  alert: 'refused: nothing was changed',
};

function printResult(r: ResultResponse, out: Sink): void {
  out.write(`${r.group}: ${r.status} — ${describeDecision(r.decision)}\n`);
  if (r.decision?.reason) out.write(`reason: ${r.decision.reason}\n`);
  const note = STATUS_NOTES[r.status];
  if (note) out.write(`note: ${note}\n`);
  if (r.error) out.write(`error: ${r.error.code}: ${r.error.message}\n`);
  if (r.steps.length > 0) {
    out.write('\n');
    printTable(r.steps, ['op', 'target', 'outcome', 'note'], out);
  }
}

const HISTORY_COLUMNS = ['at', 'group', 'kind', 'outcome', 'from', 'to', 'actor', 'reason'] as const;

function renderResult(io: ClientIo) {
  return (body: unknown, status: number): ExitCode => {
    printResult(body as ResultResponse, io.out);
    return exitForStatus(status);
  };
}

// -------------------------------------------------------------------------------------------------
// Verbs

/** `havip status [group]`. */
export function runStatus(group: string | undefined, opts: CommonOptions, io: ClientIo): Promise<ExitCode> {
  if (group === undefined) {
    return run({ verb: 'status', method: 'GET', path: '/v1/groups' }, opts, io, (body) => {
      const { groups } = body as GroupListResponse;
      if (groups.length === 0) io.out.write('no groups in the topology\n');
      else {
        printTable(
          groups,
          ['name', 'region', { header: 'havip', value: (g) => g.haVipId ?? '' }, 'members'],
          io.out,
        );
        io.out.write('\nrun `havip status <group>` for members, holder and plan\n');
      }
      return ExitCode.OK;
    });
  }
  return run({ verb: 'status', method: 'GET', path: `/v1/groups/${seg(group)}` }, opts, io, (body) => {
    const s = body as GroupStatusResponse;
    const out = io.out;
    const havip = s.haVipId
      ? `havip ${s.haVipId} ${s.address ?? '?'} (${s.haVipStatus ?? 'unknown'})`
      : 'no havip';
    out.write(`group ${s.name} (${s.region}) — ${havip}\n`);
    const holders = s.holders.length === 0 ? 'none' : s.holders.join(', ');
    out.write(
      `holder: ${holders}${s.holders.length > 1 ? '  [more than one member bound]' : ''}   serving: ${s.serving ?? 'none'}\n`,
    );
    if (s.eip)
      out.write(`eip: ${s.eip.allocationId} ${s.eip.ipAddress ?? '?'} → ${s.eip.boundTo ?? 'unbound'}\n`);
    out.write(
      `lease: ${s.lease ? `epoch ${s.lease.epoch} by ${s.lease.holder} until ${s.lease.expiresAt}${s.lease.active ? '' : ' (expired)'}` : 'free'}\n\n`,
    );
    printTable(
      s.members,
      [
        'id',
        'priority',
        'ip',
        { header: 'eligible', value: (m) => (m.eligible ? 'yes' : 'no') },
        { header: 'reasons', value: (m) => (m.reasons.length === 0 ? '-' : m.reasons.join(', ')) },
        { header: 'bound', value: (m) => (m.bound ? 'yes' : 'no') },
        { header: 'serving', value: (m) => (m.master ? 'yes' : 'no') },
      ],
      out,
    );
    out.write(
      `\nplan: ${describeDecision(s.plan.decision)}${s.plan.decision ? ` — ${s.plan.decision.reason}` : ''}\n`,
    );
    if (s.lastMoves.length > 0) {
      out.write('\nrecent:\n');
      printTable(s.lastMoves, HISTORY_COLUMNS, out);
    }
    return ExitCode.OK;
  });
}

export interface ManualOptions extends CommonOptions {
  readonly to?: string;
  readonly force?: boolean;
  readonly reason?: string;
}

/** `havip plan <group>`: the dry run of a manual failover (or of the automatic decision without options). */
export function runPlan(group: string, opts: ManualOptions, io: ClientIo): Promise<ExitCode> {
  const body = {
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.force ? { force: true } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  };
  const call: Call = { verb: 'plan', method: 'POST', path: `/v1/groups/${seg(group)}/plan`, body };
  return run(call, opts, io, renderResult(io));
}

/** `havip failover <group> --reason …`. */
export function runFailover(group: string, opts: ManualOptions, io: ClientIo): Promise<ExitCode> {
  const body = {
    reason: opts.reason ?? '',
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.force ? { force: true } : {}),
  };
  const call: Call = { verb: 'failover', method: 'POST', path: `/v1/groups/${seg(group)}/failover`, body };
  return run(call, opts, io, renderResult(io));
}

/** `havip drain <member> --reason …` and `havip undrain <member>`. */
export function runDrain(
  member: string,
  drain: boolean,
  opts: CommonOptions & { readonly reason?: string },
  io: ClientIo,
): Promise<ExitCode> {
  const verb = drain ? 'drain' : 'undrain';
  const body = drain
    ? { reason: opts.reason ?? '' }
    : opts.reason !== undefined
      ? { reason: opts.reason }
      : {};
  const call: Call = { verb, method: 'POST', path: `/v1/members/${seg(member)}/${verb}`, body };
  return run(call, opts, io, (raw, status) => {
    const b = raw as DrainResponse;
    io.out.write(
      `${b.member}: ${drain ? 'draining' : 'no longer draining'}${b.groups.length > 0 ? ` (groups: ${b.groups.join(', ')})` : ' (already recorded; nothing to reconcile)'}\n`,
    );
    for (const r of b.results) {
      io.out.write('\n');
      printResult(r, io.out);
    }
    return exitForStatus(status);
  });
}

/** `havip history [--group g] [--limit n]`. */
export function runHistory(
  opts: CommonOptions & { readonly group?: string; readonly limit?: string },
  io: ClientIo,
): Promise<ExitCode> {
  let limit: number | undefined;
  try {
    limit = parseCount('--limit', opts.limit, 1, 500);
  } catch (e) {
    if (!(e instanceof ClientUsageError)) throw e;
    io.err.write(`havip history: ${e.message}\n`);
    return Promise.resolve(ExitCode.USAGE);
  }
  const query = new URLSearchParams();
  if (opts.group !== undefined) query.set('group', opts.group);
  if (limit !== undefined) query.set('limit', String(limit));
  const qs = query.size > 0 ? `?${query}` : '';
  return run({ verb: 'history', method: 'GET', path: `/v1/history${qs}` }, opts, io, (body) => {
    const { history } = body as HistoryResponse;
    if (history.length === 0) io.out.write('no history yet\n');
    else printTable(history, HISTORY_COLUMNS, io.out);
    return ExitCode.OK;
  });
}

/** `havip heartbeat <instanceId> [--sequence n]`: what the host agent sends, by hand. */
export function runHeartbeat(
  instanceId: string,
  opts: CommonOptions & { readonly sequence?: string },
  io: ClientIo,
): Promise<ExitCode> {
  let sequence: number | undefined;
  try {
    sequence = parseCount('--sequence', opts.sequence, 0, Number.MAX_SAFE_INTEGER);
  } catch (e) {
    if (!(e instanceof ClientUsageError)) throw e;
    io.err.write(`havip heartbeat: ${e.message}\n`);
    return Promise.resolve(ExitCode.USAGE);
  }
  const body = { instanceId, ...(sequence !== undefined ? { sequence } : {}) };
  return run({ verb: 'heartbeat', method: 'POST', path: '/v1/heartbeats', body }, opts, io, (raw) => {
    const r = raw as HeartbeatResponse;
    io.out.write(
      r.accepted
        ? `${instanceId}: heartbeat accepted (groups: ${r.groups.join(', ')})\n`
        : `${instanceId}: heartbeat not recorded: an equal or newer sequence was already received\n`,
    );
    if (r.holds.length === 0) io.out.write('holds: nothing\n');
    for (const h of r.holds) io.out.write(`holds: ${h.group} ${h.haVipId} ${h.address ?? '?'}\n`);
    return ExitCode.OK;
  });
}

// -------------------------------------------------------------------------------------------------
// Registration

function common(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', `API base URL (default: $HAVIP_ENDPOINT, else ${DEFAULT_ENDPOINT})`)
    .option('--json', 'print the JSON answer of the API')
    .option('--timeout <seconds>', 'stop waiting for the answer after this long (default 120)')
    .addHelpText(
      'after',
      '\nCredentials come from the environment only: HAVIP_API_TOKEN, or HAVIP_HMAC_KEY_ID and HAVIP_HMAC_SECRET.\n' +
        'Exit codes: 0 success, 1 the operation failed, was refused or is unfinished, 2 usage/auth/connection error.',
    );
}

/** Registers the client verbs on the program. */
export function registerClient(program: Command, io: ClientIo & ExitCodeSink): void {
  const setExit = io.setExitCode;
  common(
    program
      .command('status')
      .description('show the groups, or one group: holder, serving member, member health, lease and plan')
      .argument('[group]', 'group name'),
  ).action(async (group: string | undefined, opts: CommonOptions) =>
    setExit(await runStatus(group, opts, io)),
  );

  common(
    program
      .command('plan')
      .description('dry run: what a failover (or, without options, the automatic rules) would do now')
      .argument('<group>', 'group name')
      .option('--to <member>', 'target member id')
      .option('--force', 'allow an ineligible target')
      .option('--reason <text>', 'reason shown in the plan'),
  ).action(async (group: string, opts: ManualOptions) => setExit(await runPlan(group, opts, io)));

  common(
    program
      .command('failover')
      .description('move the address now (overrides nopreempt; not eligibility unless --force)')
      .argument('<group>', 'group name')
      .requiredOption('--reason <text>', 'why (journaled with your identity)')
      .option('--to <member>', 'target member id (default: the best eligible other member)')
      .option('--force', 'move even onto an ineligible member (journaled)'),
  ).action(async (group: string, opts: ManualOptions) => setExit(await runFailover(group, opts, io)));

  common(
    program
      .command('drain')
      .description(
        'take a member out of service: it is no longer a target, and loses the address if it holds it',
      )
      .argument('<member>', 'instance or ENI id')
      .requiredOption('--reason <text>', 'why (journaled)'),
  ).action(async (member: string, opts: CommonOptions & { reason: string }) =>
    setExit(await runDrain(member, true, opts, io)),
  );

  common(
    program
      .command('undrain')
      .description('return a drained member to service (it does not take the address back under nopreempt)')
      .argument('<member>', 'instance or ENI id')
      .option('--reason <text>', 'why (optional)'),
  ).action(async (member: string, opts: CommonOptions & { reason?: string }) =>
    setExit(await runDrain(member, false, opts, io)),
  );

  common(
    program
      .command('history')
      .description('recent moves, alerts and failures, newest first')
      .option('--group <name>', 'only this group')
      .option('--limit <n>', 'how many (1–500, default 50)'),
  ).action(async (opts: CommonOptions & { group?: string; limit?: string }) =>
    setExit(await runHistory(opts, io)),
  );

  common(
    program
      .command('heartbeat')
      .description('send one heartbeat for an instance, as the host agent does, and show what it holds')
      .argument('<instanceId>', 'instance or ENI id')
      .option('--sequence <n>', 'sender sequence number (must increase)'),
  ).action(async (instanceId: string, opts: CommonOptions & { sequence?: string }) =>
    setExit(await runHeartbeat(instanceId, opts, io)),
  );
}
