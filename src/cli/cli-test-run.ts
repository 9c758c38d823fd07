import { Command } from 'commander';
import { withGlobalOptions } from './globals.js';

/**
 * Test support for command modules: runs `command` under a tiny root program (the global options declared
 * as main.ts will) and answers what it printed and its exit code. stdout and stderr are captured while it
 * runs (text only); the exit code is reset before and after, so one run does not leak into the next.
 */
export async function runCommand(command: () => Command, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = withGlobalOptions(new Command('arca')).exitOverride().addCommand(command());
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // Only text is captured: the test runner reports to its parent through stdout in binary chunks, which
  // pass through untouched (the commands write text).
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? ((stdout += chunk), true) : out(chunk, ...rest));
  process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? ((stderr += chunk), true) : err(chunk, ...rest));
  process.exitCode = undefined;
  try {
    await program.parseAsync([...args], { from: 'user' });
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stdout, stderr };
}
