import { join } from 'node:path';
import { writeFileDurably } from '../platform/durable-file.js';
import type { AdminCredentials } from '../service/identity/bootstrap.js';
import { redactUrl, type StorageConfig } from './storage-config.js';

/** Prints the endpoint and credentials and writes `<data-dir>/credentials.env` (mode 0600). */
export function announce(opts: { dataDir: string; endpoint: string; region: string; admin: AdminCredentials; workers: number; storage?: StorageConfig; ephemeral?: boolean; acceptAnyCredentials?: boolean }): void {
  const { dataDir, endpoint, region, admin } = opts;
  const secret = admin.secretAccessKey.expose().toString('utf8');
  const envFile = join(dataDir, 'credentials.env');
  writeFileDurably(
    envFile,
    [
      `export AWS_ACCESS_KEY_ID=${admin.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${secret}`,
      `export AWS_REGION=${region}`,
      `export AWS_ENDPOINT_URL_KMS=${endpoint}`,
      `export ARCA_ENDPOINT=${endpoint}`,
      '',
    ].join('\n'),
  );
  process.stdout.write(
    [
      '',
      `Arca dev server listening on ${endpoint}${opts.workers > 1 ? ` (${opts.workers} worker processes)` : ''}`,
      '  WARNING: dev mode. The root key is stored UNSEALED in the data directory; never use it for real keys.',
      ...(opts.acceptAnyCredentials === true ? ['  WARNING: --accept-any-credentials: requests signed with an unknown access key are served as the admin user, unverified.'] : []),
      `  data directory: ${dataDir}${opts.ephemeral === true ? ' (ephemeral: removed at exit)' : ''}`,
      ...(opts.storage?.type === 'postgres' ? [`  storage:        ${redactUrl(opts.storage.url)}`] : []),
      `  admin user:     ${admin.principalArn}${admin.created ? ' (created)' : ''}`,
      `  access key id:  ${admin.accessKeyId}`,
      `  secret key:     ${secret}`,
      `  credentials:    ${envFile}`,
      `  web console:    ${endpoint}/ui/ (sign in with the access key above)`,
      '',
      'Try it:',
      `  source ${envFile}`,
      `  aws --endpoint-url $ARCA_ENDPOINT kms create-key --description demo`,
      `  aws --endpoint-url $ARCA_ENDPOINT kms encrypt --key-id <KeyId> --plaintext "$(printf hello | base64)" --query CiphertextBlob --output text`,
      '',
      '',
    ].join('\n'),
  );
}

/** Resolves on the first SIGINT or SIGTERM, naming it. */
export function untilSignal(): Promise<string> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}
