import { KMSClient } from '@aws-sdk/client-kms';
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
