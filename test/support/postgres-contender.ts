/**
 * One orchestrator-like process for the multi-process PostgreSQL test (run with `node --import tsx`):
 * rounds of acquire → journal writes, renewals and epoch checks with random pauses (often outliving the
 * lease) → maybe release, on a few shared groups, on real time. It logs what the store answered; the test
 * judges the logs of all processes together.
 *
 * Env: HAVIP_TEST_POSTGRES_URL, SCHEMA, PROC (this process's name), GROUPS (comma-separated), ROUNDS.
 */
import { createPostgresStore } from '../../shared/adapters/postgres/index.js';
import { StaleEpochError } from '../../shared/core/errors.js';
import { type GroupName, groupName } from '../../shared/core/model.js';
import type { JournalEntry, JournalPhase } from '../../shared/core/ports.js';

export interface ContenderLog {
  readonly proc: string;
  readonly acquired: { group: string; epoch: number; holder: string; done: number }[];
  /** Writes the store accepted: `sent` is when the call was made. */
  readonly accepted: {
    group: string;
    epoch: number;
    op: 'journal' | 'renew' | 'assert';
    step?: string;
    sent: number;
  }[];
  readonly refused: { group: string; epoch: number; op: string; reason: string }[];
  /** Read-backs that did not show our own latest journal entry (must stay empty). */
  readonly violations: string[];
}

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const proc = env('PROC');
const groups = env('GROUPS').split(',').map(groupName);
const rounds = Number(env('ROUNDS'));
const store = createPostgresStore({ url: env('HAVIP_TEST_POSTGRES_URL'), schema: env('SCHEMA'), poolMax: 2 });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const PHASES: readonly JournalPhase[] = ['PLANNED', 'ATTACHING', 'VERIFYING', 'DONE'];

const log: ContenderLog = { proc, acquired: [], accepted: [], refused: [], violations: [] };

async function act(group: GroupName, epoch: number, holder: string, step: number): Promise<void> {
  const sent = Date.now();
  const op = pick(['journal', 'journal', 'renew', 'assert'] as const);
  if (op === 'renew') await store.renewLease(group, epoch, 20 + Math.floor(Math.random() * 60), sent);
  else if (op === 'assert') await store.assertEpoch(group, epoch, sent);
  else {
    const entry: JournalEntry = {
      group,
      epoch,
      phase: PHASES[step % PHASES.length] as JournalPhase,
      decision: { kind: 'noop', holder: undefined, reason: holder },
      step: `${holder}:${step}`,
      updatedAt: sent,
      detail: undefined,
    };
    await store.writeJournal(entry, sent);
    log.accepted.push({ group, epoch, op, step: entry.step, sent });
    const back = await store.readJournal(group);
    if (back === undefined || back.epoch < epoch || (back.epoch === epoch && back.step !== entry.step))
      log.violations.push(
        `${holder} wrote ${entry.step} at epoch ${epoch}, read back ${JSON.stringify(back)}`,
      );
    return;
  }
  log.accepted.push({ group, epoch, op, sent });
}

async function round(n: number): Promise<void> {
  const group = pick(groups);
  const holder = `${proc}-r${n}`;
  const r = await store.acquireLease(group, holder, 20 + Math.floor(Math.random() * 60), Date.now());
  if (!r.acquired) return sleep(Math.random() * 5);
  const { epoch } = r.lease;
  log.acquired.push({ group, epoch, holder, done: Date.now() });
  await store.appendHistory({
    group,
    epoch,
    at: Date.now(),
    decision: { kind: 'noop', holder: undefined, reason: holder },
    outcome: 'planned',
    actor: holder,
    durationMs: undefined,
    detail: undefined,
  });
  for (let step = 0; step < 4; step++) {
    await sleep(Math.random() * 30);
    try {
      await act(group, epoch, holder, step);
    } catch (e) {
      if (!(e instanceof StaleEpochError)) throw e;
      log.refused.push({ group, epoch, op: 'write', reason: String(e.details.reason) });
      return;
    }
  }
  if (Math.random() < 0.5) await store.releaseLease(group, epoch);
}

await store.getLease(groups[0] as GroupName); // connect and check the schema before the start
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
for (let n = 0; n < rounds; n++) await round(n);
await store.close();
process.stdout.write(`${JSON.stringify(log)}\n`);
