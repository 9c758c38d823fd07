import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { parseManifest, type Manifest } from '../../manifest/schema.js';
import { ArcaCallError, callOperation } from '../client.js';
import { clientOf, globalsOf } from '../globals.js';
import { executePlan } from './execute.js';
import type { Caller } from './live.js';
import { buildPlan, type Plan } from './plan.js';
import { renderPlan } from './render.js';

/**
 * `arca apply -f arca.yaml [--plan] [--prune] [--auto-approve]` (issue 23): makes the live state what the
 * file describes, through the operations, after showing the plan. Exit status: 0 done or nothing to do,
 * 1 failure, 2 changes pending (`--plan`) or not confirmed.
 */

/** Where the command reads and writes; tests give their own. */
export interface ApplyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether a person is there to confirm (stdin and stdout are terminals). */
  readonly interactive: boolean;
  /** Colour the plan (stdout is a terminal). */
  readonly colour: boolean;
  readonly confirm: (question: string) => Promise<boolean>;
  /** The environment the client configuration is read from (ARCA_ENDPOINT, AWS_ACCESS_KEY_ID, ...). */
  readonly env: NodeJS.ProcessEnv;
}

const processIo = (): ApplyIo => ({
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  colour: process.stdout.isTTY === true,
  env: process.env,
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await rl.question(question)).trim().toLowerCase() === 'yes';
    } finally {
      rl.close();
    }
  },
});

/** Reads and validates the file; `policyFile:` paths are relative to it. */
export function readManifestFile(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseManifest(parseYaml(text), path, (rel) => readFileSync(resolve(dirname(path), rel), 'utf8'));
}

interface ApplyOptions {
  readonly file: string;
  readonly plan?: boolean;
  readonly prune?: boolean;
  readonly autoApprove?: boolean;
}

export function applyCommand(io: ApplyIo = processIo()): Command {
  return new Command('apply')
    .description('Make keys, principals and approval rules what a declarative file describes (policy as code); --plan shows the changes only')
    .requiredOption('-f, --file <path>', 'the file (YAML or JSON; docs/policy-as-code.md, schema docs/arca-apply.schema.json)')
    .option('--plan', 'print the changes and exit: 2 when changes are pending, 0 when none')
    .option('--prune', 'schedule deletion of keys tagged managed-by=arca-apply that the file no longer lists')
    .option('--auto-approve', 'apply without asking (required when not on a terminal)')
    .action(async (opts: ApplyOptions, cmd: Command) => {
      process.exitCode = await runApply(opts, cmd, io);
    });
}

async function runApply(opts: ApplyOptions, cmd: Command, io: ApplyIo): Promise<number> {
  const format = globalsOf(cmd).output;
  const asData = format === 'json' || format === 'yaml';
  const data = (plan: Plan, applied: boolean): string => (format === 'yaml' ? toYaml({ ...plan, applied }) : JSON.stringify({ ...plan, applied }, null, 2) + '\n');
  let applied = 0;
  try {
    const manifest = readManifestFile(opts.file);
    const config = clientOf(cmd, io.env);
    const call: Caller = (target, input, region) => callOperation(region === undefined || region === config.region ? config : { ...config, region }, target, input);
    const plan = await buildPlan(call, manifest, { homeRegion: config.region, prune: opts.prune === true });
    const pending = plan.changes.length > 0;
    if (opts.plan === true || !pending) {
      io.out(asData ? data(plan, false) : renderPlan(plan, io.colour));
      return pending ? 2 : 0;
    }
    if (!asData) io.out(renderPlan(plan, io.colour));
    if (opts.autoApprove !== true) {
      if (!io.interactive) {
        io.err('arca: apply: not on a terminal: give --auto-approve to apply without confirmation (nothing was changed)\n');
        return 2;
      }
      if (!(await io.confirm('\nApply these changes? Only "yes" is accepted: '))) {
        io.err('arca: apply: not confirmed; nothing was changed\n');
        return 2;
      }
    }
    await executePlan(call, manifest, plan, (line) => {
      applied++;
      if (!asData) io.out(`${line}\n`);
    });
    io.out(asData ? data(plan, true) : `Applied: ${applied} change(s).\n`);
    return 0;
  } catch (e) {
    const partly = applied > 0 ? ` (after ${applied} change(s) were applied; run arca apply again to finish)` : '';
    if (e instanceof ArcaCallError) {
      const requestId: unknown = Reflect.get(e, 'requestId'); // set by clients that read x-amzn-RequestId
      const id = typeof requestId === 'string' && requestId !== '' ? ` (request id ${requestId})` : '';
      io.err(`arca: ${e.type}${e.message === '' ? '' : `: ${e.message}`}${id}${partly}\n`);
    }
    else if (e instanceof Error) io.err(`arca: apply: ${e.message}${partly}\n`);
    else throw e;
    return 1;
  }
}
