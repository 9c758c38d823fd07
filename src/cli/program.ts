import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { accessCommand } from './access-command.js';
import { approvalsCommand } from './approvals-command.js';
import { auditCommand } from './audit-command.js';
import { backupCommand } from './backup-command.js';
import { callCommand } from './call-command.js';
import { act, formatOf, serverSideCommand, show } from './command-kit.js';
import { completionCommand } from './completion.js';
import { alertsCommand, breakerCommand } from './detection-commands.js';
import { withGlobalOptions } from './globals.js';
import { mfaCommand } from './mfa-command.js';
import { operatorCommand } from './operator-command.js';
import { accessKeyCommand, principalCommand } from './principal-commands.js';

/**
 * The `arca` program on commander (issue 23, ADR 0029): every client command, the global options once on
 * the root (accepted anywhere on the line), `--help` and `help <command>` at every level, usage errors
 * exit 2. The server-side commands (`dev`, `server`, `storage`, `backup restore|verify`, `backup create
 * --from`, `operator export-recovery|recover-shares`) are listed for help, completion and docs; bin/arca
 * sends them to the server process (src/server/main.ts isServerCommand) before this program sees them.
 */

const CLIENTS_HELP = `
Clients: any AWS SDK, the AWS CLI or the AWS Encryption SDK, pointed at the endpoint arca dev prints.
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or --profile); docs/cli.md lists every command.`;

/** The root `arca` program with every client command, then `extra` (commands of other modules). */
export function buildProgram(extra: readonly Command[] = []): Command {
  const program = withGlobalOptions(new Command('arca'))
    .description(`arca ${VERSION}: a self-hosted key management service that speaks the AWS KMS protocol`)
    .version(VERSION, '-V, --version', 'print the version')
    .usage('[global options] <command> [options]')
    .addHelpText('after', CLIENTS_HELP);
  program.addCommand(serverSideCommand('dev', 'run a development server (embedded SQLite, insecure auto-unsealed root; see arca dev --help)'));
  program.addCommand(serverSideCommand('server', 'run the production server: arca server --config arca.yaml (starts sealed)'));
  for (const c of [operatorCommand(), callCommand(), principalCommand(), accessKeyCommand(), mfaCommand(), approvalsCommand(), accessCommand(), auditCommand(), alertsCommand(), breakerCommand()]) program.addCommand(c);
  program.addCommand(serverSideCommand('storage', 'migrate a SQLite data directory into PostgreSQL (arca storage migrate --help)'));
  program.addCommand(backupCommand());
  program.addCommand(
    new Command('version').description('print the version').action(
      act(async (cmd) => {
        if (formatOf(cmd) === 'table') process.stdout.write(`${VERSION}\n`);
        else show(cmd, { Version: VERSION });
        return 0;
      }),
    ),
  );
  program.addCommand(completionCommand(program));
  for (const c of extra) program.addCommand(c);
  return configureTree(program);
}

/**
 * Gives every command of the tree the same behaviour: errors thrown (not process.exit), printed as
 * `arca: <message>` followed by the command's usage. Idempotent: run it again after adding commands.
 */
export function configureTree(cmd: Command): Command {
  cmd.exitOverride().showHelpAfterError(true).configureHelp({ showGlobalOptions: true }).configureOutput({ outputError: (text, write) => write(`arca: ${text.replace(/^error: /, '')}`) });
  for (const sub of cmd.commands) configureTree(sub);
  return cmd;
}

/** The exit code of a commander error: 0 for help and the version, 2 for any usage error. */
export function exitCodeOf(e: CommanderError): number {
  return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
}

/** Whether `cmd` (not its ancestors) declares `flag`. */
const declares = (cmd: Command, flag: string): boolean => cmd.options.some((o) => o.long === flag || o.short === flag);

/** The deepest command `args` name, walking past options (and their values) the way commander reads them. */
export function commandOf(program: Command, args: readonly string[]): Command {
  let cmd = program;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (arg.includes('=')) continue;
      for (let c: Command | null = cmd; c !== null; c = c.parent) {
        const option = c.options.find((o) => o.long === arg || o.short === arg);
        if (option !== undefined) {
          if (option.required || option.optional) i += 1;
          break;
        }
      }
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    cmd = sub;
  }
  return cmd;
}

/**
 * `--key FILE` was the client key before `--cert-key` (ADR 0029): it still is, on a command that has no
 * `--key` of its own (audit, alerts, access and the encryption commands name a KMS key with it).
 */
export function withCompatKeyFlag(program: Command, args: readonly string[]): string[] {
  if (declares(commandOf(program, args), '--key')) return [...args];
  return args.map((a) => (a === '--key' ? '--cert-key' : a.startsWith('--key=') ? `--cert-key=${a.slice(6)}` : a));
}

/** `[group…] help <command…>` is `[group…] <command…> --help` (commander's help command takes one name only). */
export function withHelpWords(program: Command, args: readonly string[]): string[] {
  let cmd = program;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg.startsWith('-')) continue;
    if (arg === 'help' && cmd.commands.length > 0 && !cmd.commands.some((c) => c.name() === 'help')) return [...args.slice(0, i), ...args.slice(i + 1), '--help'];
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    cmd = sub;
  }
  return [...args];
}

/** Runs `args` (without `node arca`) through `program`; answers the exit code. */
export async function runProgram(program: Command, args: readonly string[]): Promise<number> {
  configureTree(program);
  if (args.length === 0) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  process.exitCode = undefined;
  try {
    await program.parseAsync(withCompatKeyFlag(program, withHelpWords(program, args)), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return exitCodeOf(e);
    throw e;
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return typeof code === 'number' ? code : 0;
}
