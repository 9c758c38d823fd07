import { KMSClient } from '@aws-sdk/client-kms';
import { callOperation } from '../../src/cli/client.js';
import type { InProcessServer } from './in-process.js';

/** An ArcaService call as the dev admin. */
export function adminCall(server: InProcessServer, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const { endpoint, credentials } = server;
  return callOperation({ endpoint, region: credentials.region, credentials }, `ArcaService.${operation}`, input);
}

export interface TestPrincipal {
  readonly name: string;
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A KMS client signing as this principal; `clockOffsetMs` matches a server clock moved by that much. */
  client(clockOffsetMs?: number): KMSClient;
}

/** Creates a principal with an access key (and optional tags and identity policy) through ArcaService. */
export async function createTestPrincipal(
  server: InProcessServer,
  name: string,
  opts: { tags?: Record<string, string>; policy?: object } = {},
): Promise<TestPrincipal> {
  const tags = Object.entries(opts.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  const created = await adminCall(server, 'CreatePrincipal', { PrincipalName: name, ...(tags.length > 0 ? { Tags: tags } : {}) });
  const principal = created['Principal'] as { Arn: string };
  if (opts.policy !== undefined) await adminCall(server, 'PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'test', PolicyDocument: JSON.stringify(opts.policy) });
  const key = (await adminCall(server, 'CreateAccessKey', { PrincipalName: name }))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
  return {
    name,
    arn: principal.Arn,
    accessKeyId: key.AccessKeyId,
    secretAccessKey: key.SecretAccessKey,
    client: (clockOffsetMs = 0) =>
      new KMSClient({
        endpoint: server.endpoint,
        region: server.credentials.region,
        credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey },
        maxAttempts: 1,
        systemClockOffset: clockOffsetMs,
      }),
  };
}

/** An ArcaService call signed as `principal`. */
export function callAs(server: InProcessServer, principal: TestPrincipal, operation: string, input: unknown): Promise<Record<string, unknown>> {
  return callOperation(
    { endpoint: server.endpoint, region: server.credentials.region, credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey } },
    `ArcaService.${operation}`,
    input,
  );
}
