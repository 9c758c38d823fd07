import { VERSION } from '../version.js';
import { runAudit } from './audit-command.js';
import { runBackupCreate } from './backup-command.js';
import { runBackupLedger } from './backup-ledger-command.js';
import { runCall } from './call-command.js';
import { runAlerts, runBreaker } from './detection-commands.js';
import { runOperator } from './operator-command.js';
import { runMfa } from './mfa-command.js';
import { runApprovals } from './approvals-command.js';
import { runAccess } from './access-command.js';
import { runAccessKey, runPrincipal } from './principal-commands.js';

export const USAGE = `arca ${VERSION}: a self-hosted key management service that speaks the AWS KMS protocol

Usage: arca <command> [options]

Commands:
  dev        run a development server (embedded SQLite, insecure auto-unsealed root; see arca dev --help)
  server     run the production server: arca server --config arca.yaml (starts sealed)
  operator   init, unseal, seal, status, rekey (see arca operator --help)
  call       call any operation: arca call TrentService.ListKeys '{"Limit": 10}'
  principal  manage principals, their tags and identity policies: arca principal create --name app
  access-key manage access keys: arca access-key create --name app (the secret is shown once)
  mfa        a principal's TOTP MFA device: arca mfa enable --name app (prints a QR code, shown once)
  approvals  held requests and approval rules: arca approvals list; approve|deny ID --reason …; execute ID
  access     just-in-time access: arca access request --key K --operations Decrypt --for 2h --reason …
  audit      verify, query, tail or export the audit trail (arca audit --help)
  alerts     list and acknowledge anomaly alerts: arca alerts list --unacknowledged; arca alerts ack ID
  breaker    list and release circuit breakers: arca breaker list; arca breaker release ID
  storage    migrate a SQLite data directory into PostgreSQL (arca storage migrate --help)
  backup     create, verify or restore a signed, encrypted backup; export the destruction ledger (arca backup --help)
  version    print the version
  help       show this help

Global options (client commands): --cert FILE --key FILE present a client certificate (mTLS; or
ARCA_CLIENT_CERT, ARCA_CLIENT_KEY; for audit, alerts and access, whose --key is a KMS key, write --cert-key FILE),
--ca FILE trusts that CA for the server's certificate (or ARCA_CA).

Clients: any AWS SDK, the AWS CLI or the AWS Encryption SDK, pointed at the endpoint arca dev prints.
`;

/** Commands whose own `--key` names a KMS key (a filter, or the key asked for): there the client key is `--cert-key`. */
const OWN_KEY_FLAG: ReadonlySet<string> = new Set(['audit', 'alerts', 'access']);

/**
 * `--cert`, `--key` (also `--cert-key`) and `--ca` (`--cert FILE` or `--cert=FILE`, anywhere): the
 * variables they set, and the other arguments. For `audit`, `alerts` and `access`, `--key` stays theirs.
 */
export function extractTlsFlags(argv: readonly string[]): { rest: string[]; env: Record<string, string> } {
  const names: Record<string, string> = { '--cert': 'ARCA_CLIENT_CERT', '--cert-key': 'ARCA_CLIENT_KEY', '--ca': 'ARCA_CA' };
  if (!OWN_KEY_FLAG.has(argv.find((a) => !a.startsWith('-')) ?? '')) names['--key'] = 'ARCA_CLIENT_KEY';
  const rest: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const variable = names[flag];
    if (variable === undefined) rest.push(arg);
    else if (eq > 0) env[variable] = arg.slice(eq + 1);
    else if (i + 1 < argv.length) env[variable] = argv[++i] ?? '';
    else rest.push(arg);
  }
  return { rest, env };
}

/** Client-side commands of `arca`. */
export async function runCli(args: readonly string[]): Promise<number> {
  const { rest: argv, env } = extractTlsFlags(args);
  Object.assign(process.env, env);
  const [command] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'call':
      return runCall(argv.slice(1));
    case 'operator':
      return runOperator(argv.slice(1));
    case 'principal':
      return runPrincipal(argv.slice(1));
    case 'access-key':
      return runAccessKey(argv.slice(1));
    case 'mfa':
      return runMfa(argv.slice(1));
    case 'approvals':
      return runApprovals(argv.slice(1));
    case 'access':
      return runAccess(argv.slice(1));
    case 'audit':
      return runAudit(argv.slice(1));
    case 'alerts':
      return runAlerts(argv.slice(1));
    case 'breaker':
      return runBreaker(argv.slice(1));
    case 'backup':
      // Only `backup create` without --from and `backup ledger` reach the client (server/main.ts isServerCommand).
      return argv[1] === 'ledger' ? runBackupLedger(argv.slice(2)) : runBackupCreate(argv.slice(2));
    case 'version':
    case '--version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    default:
      process.stderr.write(`arca: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
