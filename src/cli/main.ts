import { VERSION } from '../version.js';
import { runAudit } from './audit-command.js';
import { runBackupCreate } from './backup-command.js';
import { runBackupLedger } from './backup-ledger-command.js';
import { runCall } from './call-command.js';
import { runAlerts, runBreaker } from './detection-commands.js';
import { runOperator } from './operator-command.js';
import { runMfa } from './mfa-command.js';
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
  audit      verify, query, tail or export the audit trail (arca audit --help)
  alerts     list and acknowledge anomaly alerts: arca alerts list --unacknowledged; arca alerts ack ID
  breaker    list and release circuit breakers: arca breaker list; arca breaker release ID
  storage    migrate a SQLite data directory into PostgreSQL (arca storage migrate --help)
  backup     create, verify or restore a signed, encrypted backup; export the destruction ledger (arca backup --help)
  version    print the version
  help       show this help

Clients: any AWS SDK, the AWS CLI or the AWS Encryption SDK, pointed at the endpoint arca dev prints.
`;

/** Client-side commands of `arca`. */
export async function runCli(argv: readonly string[]): Promise<number> {
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
