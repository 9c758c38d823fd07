import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ArcaCallError, clientConfigFrom, type ClientConfig } from './client.js';

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
    ...(profileOf(g, env) !== undefined && profileCredentials(profileOf(g, env) ?? '', env)),
    ...(g.cert !== undefined && { ARCA_CLIENT_CERT: g.cert }),
    ...(g.certKey !== undefined && { ARCA_CLIENT_KEY: g.certKey }),
    ...(g.ca !== undefined && { ARCA_CA: g.ca }),
    ...(g.region !== undefined && { AWS_REGION: g.region }),
  };
  return clientConfigFrom(merged, g.endpoint);
}

/** `--profile`, else AWS_PROFILE when no access key is in the environment (as the AWS CLI reads them). */
function profileOf(g: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (g.profile !== undefined) return g.profile;
  const p = env['AWS_PROFILE'];
  return p !== undefined && p !== '' && (env['AWS_ACCESS_KEY_ID'] ?? '') === '' ? p : undefined;
}

/**
 * `--profile NAME`: the access key of that profile in the AWS shared-credentials file (AWS_SHARED_CREDENTIALS_FILE,
 * default ~/.aws/credentials), as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).
 */
export function profileCredentials(profile: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const file = env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(homedir(), '.aws', 'credentials');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ArcaCallError('InvalidConfiguration', `--profile ${profile}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 0);
  }
  const found: Record<string, string> = {};
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section !== null) inside = section[1] === profile;
    else if (inside) {
      const m = /^(aws_access_key_id|aws_secret_access_key|aws_session_token)\s*=\s*(.*)$/i.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) found[m[1].toUpperCase()] = m[2].trim();
    }
  }
  if (found['AWS_ACCESS_KEY_ID'] === undefined || found['AWS_SECRET_ACCESS_KEY'] === undefined) throw new ArcaCallError('InvalidConfiguration', `--profile ${profile}: no such profile with an access key in ${file}`, 0);
  return found;
}
