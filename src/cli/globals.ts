import { Command, InvalidArgumentError, Option } from 'commander';
import { clientConfigFrom, type ClientConfig } from './client.js';

/**
 * The options every client command takes, wherever they are written on the command line (issue 23):
 * they are declared once on the root program and read by each command with {@link globalsOf}.
 */
export const OUTPUT_FORMATS = ['json', 'table', 'yaml'] as const;
export type OutputChoice = (typeof OUTPUT_FORMATS)[number];

export interface GlobalOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly output?: OutputChoice | undefined;
  readonly profile?: string | undefined;
  readonly cert?: string | undefined;
  readonly certKey?: string | undefined;
  readonly ca?: string | undefined;
}

/** `--output`'s value: one of {@link OUTPUT_FORMATS} (`text`, which the server-side commands write, is `table`). */
function outputChoice(value: string): OutputChoice {
  const found = OUTPUT_FORMATS.find((f) => f === (value === 'text' ? 'table' : value));
  if (found === undefined) throw new InvalidArgumentError(`Allowed choices are ${OUTPUT_FORMATS.join(', ')}.`);
  return found;
}

/** Declares the global options on `program` (the root `arca` command). */
export function withGlobalOptions(program: Command): Command {
  return program
    .option('--endpoint <url>', 'the Arca endpoint (or ARCA_ENDPOINT; default http://127.0.0.1:8420)')
    .option('--region <region>', 'the region to sign for (or AWS_REGION)')
    .addOption(new Option('--output <format>', 'output format: json, table or yaml (default table; text is table)').argParser(outputChoice))
    .option('--profile <name>', 'the AWS shared-credentials profile to sign with (or AWS_PROFILE)')
    .option('--cert <file>', 'a client certificate to present (mTLS; or ARCA_CLIENT_CERT)')
    .option('--cert-key <file>', 'the key of --cert (or ARCA_CLIENT_KEY; --key too, on commands without a KMS --key)')
    .option('--ca <file>', 'a CA to trust for the server certificate (or ARCA_CA)');
}

/** The global options as `command` sees them (its own options merged with its ancestors'). */
export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The client configuration for `command`: the global options over the environment. */
export function clientOf(command: Command, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const g = globalsOf(command);
  const merged: NodeJS.ProcessEnv = {
    ...env,
    ...(g.cert !== undefined && { ARCA_CLIENT_CERT: g.cert }),
    ...(g.certKey !== undefined && { ARCA_CLIENT_KEY: g.certKey }),
    ...(g.ca !== undefined && { ARCA_CA: g.ca }),
    ...(g.region !== undefined && { AWS_REGION: g.region }),
  };
  return clientConfigFrom(merged, g.endpoint);
}
