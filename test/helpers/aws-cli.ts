import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Every `aws` on PATH, then the Debian package's path; the first that reports `aws-cli/2.` wins. */
export function findAwsCliV2(): string | undefined {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'aws')), '/usr/bin/aws'];
  for (const candidate of new Set(candidates)) {
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', AWS_PAGER: '' } });
    if (`${r.stdout ?? ''}${r.stderr ?? ''}`.includes('aws-cli/2.')) return candidate;
  }
  return undefined;
}

export const AWS_CLI = findAwsCliV2();
const NO_CLI_REASON = 'no AWS CLI v2 found on PATH or at /usr/bin/aws (apt-get install -y awscli)';

/** The CLI to run, or undefined after skipping the test; in CI a missing CLI fails the test instead. */
export function cliOrSkip(t: TestContext): string | undefined {
  if (AWS_CLI !== undefined) return AWS_CLI;
  if (process.env.CI === 'true') assert.fail(`CI=true: ${NO_CLI_REASON}`);
  t.skip(NO_CLI_REASON);
  return undefined;
}

