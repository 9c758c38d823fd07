import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ArcaCallError, callOperation, reportCallError } from './client.js';
import { complianceFindings, listAll, record, type Call } from './compliance-report.js';
import { clientOf, globalsOf } from './globals.js';
import { render } from './output.js';

/**
 * `arca report compliance` and `arca report reencryption` (issue 23). Both only read (through the public
 * operations), print a table by default, JSON or YAML with the global `--output`, CSV with `--csv`, and
 * exit 0 whatever they find: 1 only when the report could not be made.
 */

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90m` in milliseconds; undefined when it is none of these. */
export function parseSince(value: string): number | undefined {
  const m = /^(\d{1,5})([mhd])$/.exec(value.trim());
  return m === null ? undefined : Number(m[1]) * (UNIT_MS[m[2] ?? 'd'] ?? 0);
}

/** RFC 4180 CSV: a header line, then one line per row; a cell with a comma, quote or newline is quoted. */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** Prints `document` (whose `rows` member is the table) in the format the command line asks for. */
function print(cmd: Command, csv: boolean, document: Record<string, unknown>, rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
  const format = globalsOf(cmd).output;
  if (csv) process.stdout.write(toCsv(rows, columns));
  else if (format === 'json') process.stdout.write(render('json', document));
  else if (format === 'yaml') process.stdout.write(toYaml(document));
  else process.stdout.write(render('table', [...rows], columns));
}

function callerOf(cmd: Command): Call {
  const config = clientOf(cmd);
  return (target, input) => callOperation(config, target, input);
}

/** Runs `work`, turning a server's error into one line on stderr and exit status 1. */
async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
    process.exitCode = 0;
  } catch (e) {
    if (e instanceof ArcaCallError) process.exitCode = reportCallError(e);
    else {
      process.stderr.write(`arca: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

function usage(cmd: Command, message: string): void {
  process.stderr.write(`arca ${cmd.name()}: ${message}\n`);
  process.exitCode = 2;
}

function complianceCommand(): Command {
  return new Command('compliance')
    .description('keys with rotation off or overdue, unused keys, key policies without a Condition, principals allowed kms:*, grants without expiry, imported material expiring, keys pending deletion')
    .option('--unused-days <n>', 'flag keys no cryptographic operation used for this many days', '90')
    .option('--expiring-days <n>', 'flag imported key material expiring within this many days', '30')
    .option('--csv', 'print CSV instead of a table')
    .action(async (opts: { unusedDays: string; expiringDays: string; csv?: boolean }, cmd: Command) => {
      const unusedDays = Number(opts.unusedDays);
      const expiringDays = Number(opts.expiringDays);
      if (!Number.isInteger(unusedDays) || unusedDays < 1) return usage(cmd, '--unused-days must be a whole number of days (1 or more)');
      if (!Number.isInteger(expiringDays) || expiringDays < 0) return usage(cmd, '--expiring-days must be a whole number of days');
      await guarded(async () => {
        const now = new Date();
        const findings = await complianceFindings(callerOf(cmd), { unusedDays, expiringDays, now });
        print(cmd, opts.csv === true, { GeneratedAt: now.toISOString(), UnusedDays: unusedDays, ExpiringDays: expiringDays, Findings: findings }, findings, ['Finding', 'Resource', 'Detail']);
      });
    });
}

/** One row of the re-encryption report: how often one generation of a key's material decrypted. */
export type MaterialUse = {
  readonly KeyArn: string;
  /** The 64-hex key material id, or `unrecorded` for events written before Decrypt recorded it. */
  readonly KeyMaterialId: string;
  readonly Current: boolean;
  readonly Decrypts: number;
  readonly LastUsed: string;
};

/** Decrypts (and ReEncrypts' source side) per key and material id, from successful audit events. */
export function materialUses(events: readonly Record<string, unknown>[], current: ReadonlyMap<string, string | undefined>): MaterialUse[] {
  const uses = new Map<string, { KeyArn: string; KeyMaterialId: string; Decrypts: number; LastUsed: string }>();
  for (const e of events) {
    if (e['errorCode'] !== undefined) continue;
    const r = record(e['responseElements']);
    const [arn, material] = e['eventName'] === 'ReEncrypt' ? [r['sourceKeyId'], r['sourceKeyMaterialId']] : [r['keyId'], r['keyMaterialId']];
    if (typeof arn !== 'string') continue;
    const id = typeof material === 'string' ? material : 'unrecorded';
    const time = String(e['eventTime'] ?? '');
    const k = `${arn}\n${id}`;
    const u = uses.get(k) ?? { KeyArn: arn, KeyMaterialId: id, Decrypts: 0, LastUsed: time };
    uses.set(k, { ...u, Decrypts: u.Decrypts + 1, LastUsed: time > u.LastUsed ? time : u.LastUsed });
  }
  return [...uses.values()]
    .map((u) => ({ KeyArn: u.KeyArn, KeyMaterialId: u.KeyMaterialId, Current: current.get(u.KeyArn) === u.KeyMaterialId, Decrypts: u.Decrypts, LastUsed: u.LastUsed }))
    .sort((a, b) => a.KeyArn.localeCompare(b.KeyArn) || b.LastUsed.localeCompare(a.LastUsed));
}

function reencryptionCommand(): Command {
  return new Command('reencryption')
    .description('for each key, which key material ids decrypted in a window, how often and when last: old material unused for the window can be retired')
    .option('--since <window>', 'the window to look back over: 30d, 12h, 90m', '30d')
    .option('--key <key>', 'only this key (key id, ARN or alias)')
    .option('--csv', 'print CSV instead of a table')
    .action(async (opts: { since: string; key?: string; csv?: boolean }, cmd: Command) => {
      const windowMs = parseSince(opts.since);
      if (windowMs === undefined) return usage(cmd, `--since ${opts.since}: write a window like 30d, 12h or 90m`);
      await guarded(async () => {
        const call = callerOf(cmd);
        const now = new Date();
        const start = new Date(now.getTime() - windowMs).toISOString();
        let keyArn: string | undefined;
        if (opts.key !== undefined) keyArn = String(record((await call('TrentService.DescribeKey', { KeyId: opts.key }))['KeyMetadata'])['Arn']);
        const query = { StartTime: start, Outcome: 'Success', Limit: 1000, ...(keyArn !== undefined && { KeyId: keyArn }) };
        const events = [
          ...(await listAll(call, 'ArcaService.ListAuditEvents', { ...query, EventName: 'Decrypt' }, 'Events')),
          ...(await listAll(call, 'ArcaService.ListAuditEvents', { ...query, EventName: 'ReEncrypt' }, 'Events')),
        ];
        const arns = new Set(events.flatMap((e) => Object.values(record(e['responseElements'])).filter((v): v is string => typeof v === 'string' && v.startsWith('arn:'))));
        const current = new Map<string, string | undefined>();
        for (const arn of arns) {
          // A key since deleted has no current material: its rows say Current false.
          const meta = await call('TrentService.DescribeKey', { KeyId: arn }).catch((): Record<string, unknown> => ({}));
          const id = record(meta['KeyMetadata'])['CurrentKeyMaterialId'];
          current.set(arn, typeof id === 'string' ? id : undefined);
        }
        const rows = materialUses(events, current);
        print(cmd, opts.csv === true, { Since: start, Until: now.toISOString(), Materials: rows }, rows, ['KeyArn', 'KeyMaterialId', 'Current', 'Decrypts', 'LastUsed']);
      });
    });
}

/** `arca report …`: read-only reports over keys, principals and the audit trail. */
export function reportCommand(): Command {
  return new Command('report')
    .description('compliance and re-encryption reports (table, --output json|yaml, or --csv)')
    .addCommand(complianceCommand())
    .addCommand(reencryptionCommand());
}
