import type { Command } from 'commander';
import { buildProgram, runProgram } from './program.js';
import { applyCommand } from './apply/command.js';
import { decryptCommand, encryptCommand } from './encrypt-command.js';
import { policyCommand } from './policy-command.js';
import { reportCommand } from './report-command.js';

/**
 * The client side of `arca` (bin/arca sends the server-side commands to src/server/main.ts first). The
 * program is src/cli/program.ts; commands of other modules are added to {@link extraCommands}.
 */

/** Commands of other modules (`encryptCommand()`, …), added to the program after the built-in ones. */
export function extraCommands(): Command[] {
  return [applyCommand(), encryptCommand(), decryptCommand(), reportCommand(), policyCommand()];
}

/** Client-side commands of `arca`: answers the exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(args: readonly string[]): Promise<number> {
  return runProgram(buildProgram(extraCommands()), args);
}
