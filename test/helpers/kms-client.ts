import { KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import type { DevServer } from './server.js';

/** A real AWS SDK v3 KMS client pointed at a dev server. */
export function kmsClient(server: Pick<DevServer, 'endpoint' | 'credentials'>): KMSClient {
  return new KMSClient({
    endpoint: server.endpoint,
    region: server.credentials.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    maxAttempts: 1,
  });
}

/**
 * Awaits `call` and asserts it failed with the KMS error `name` (and, when given, HTTP `status`), as the
 * real AWS SDK reports it. Returns the exception for further checks.
 */
export async function expectKmsError(call: Promise<unknown>, name: string, status?: number): Promise<KMSServiceException> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof KMSServiceException, `expected a KMS service exception, got: ${String(e)}`);
    assert.equal(e.name, name, `wrong error name (message: ${e.message})`);
    if (status !== undefined) assert.equal(e.$metadata.httpStatusCode, status, `wrong HTTP status for ${e.name}`);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}
