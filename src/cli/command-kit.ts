import { Command } from 'commander';
import { ArcaCallError, reportCallError, type ClientConfig } from './client.js';
import { clientOf, globalsOf } from './globals.js';
import { colourWanted, render, type OutputFormat } from './output.js';

/**
 * What the client commands share on commander: the output format and client of the global options, one
 * action wrapper that turns an error into its one line and exit code, and usage errors (exit 2).
 */

/** A usage error found by a command itself (a missing option, a bad value): printed with the command's usage, exit 2. */
export class UsageError extends Error {}

/** `--output` as the command sees it (table when not given). */
export function formatOf(cmd: Command): OutputFormat {
  return globalsOf(cmd).output ?? 'table';
}

/** The client configuration for `cmd` (the global options over the environment). */
export function clientFor(cmd: Command): ClientConfig {
  return clientOf(cmd);
}

/** Writes `value` to stdout in the command's output format (colour only on a terminal without NO_COLOR). */
export function show(cmd: Command, value: unknown, columns?: readonly string[]): void {
  process.stdout.write(render(formatOf(cmd), value, columns, colourWanted()));
}

/** `arca principal list`: the command's path from the root, for messages. */
export function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * An action that answers an exit code: sets `process.exitCode`. A {@link UsageError} prints
 * `<path>: <message>` and the command's usage on stderr (exit 2); a server's error its one line (exit 1).
 */
export function act<A extends unknown[]>(run: (cmd: Command, ...args: A) => Promise<number>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    try {
      process.exitCode = await run(cmd, ...(args.slice(0, -2) as A));
    } catch (e) {
      process.exitCode = failure(cmd, e);
    }
  };
}

/** The exit code of `e` thrown by `cmd`'s action, after printing it. */
export function failure(cmd: Command, e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`${pathOf(cmd)}: ${e.message}\n\n${cmd.helpInformation()}`);
    return 2;
  }
  if (e instanceof ArcaCallError && e.type === 'Usage') return failure(cmd, new UsageError(e.message));
  return reportCallError(e);
}

/** A required option's value, or a usage error naming it. */
export function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`missing ${flag}`);
  return value;
}

/** A command the server process runs (bin/arca sends it there: src/server/main.ts isServerCommand). */
export function serverSideCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(
      act(async (cmd) => {
        const help = cmd.args.includes('--help') || cmd.args.includes('-h');
        (help ? process.stdout : process.stderr).write(`${pathOf(cmd)}: ${description}\nIt runs in the server process, where bin/arca sends it when it comes first on the line (write global options after it); ${pathOf(cmd)} --help lists its options.\n`);
        return help ? 0 : 2;
      }),
    );
}
