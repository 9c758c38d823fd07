import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { XKS_KEY_ID_PATTERN, type XksExposure, type XksKeyExposure, type XksKeyOperation, type XksRequestMetadata } from '../../core/xks.js';
import type { Principal } from '../../core/principal.js';
import type { ConditionBuilder, ConditionDeclaration } from '../pipeline/condition-keys.js';
import { keyIdParam, str } from '../pipeline/schemas.js';

/**
 * What the XKS operations share (docs/xks-proxy.md): the external key id and the Arca key the transport
 * resolved it to from the configuration, the spec's requestMetadata, its condition keys and audit fields,
 * and the exposure check every one of them runs before touching the key.
 */

const arn = str(1, 2048);
export const requestMetadata = z
  .object({
    AwsPrincipalArn: arn.optional().describe('The AWS principal that called AWS KMS (the spec: required for key operations).'),
    AwsSourceVpc: arn.optional().describe('The VPC the AWS KMS request came from, when through a VPC endpoint.'),
    AwsSourceVpce: arn.optional().describe('The VPC endpoint the AWS KMS request came through.'),
    KmsKeyArn: arn.optional().describe('The ARN of the AWS KMS key in the external key store.'),
    KmsOperation: str(1, 256).describe('The AWS KMS operation that caused the call (opaque: new ones are accepted).'),
    KmsRequestId: str(1, 256).describe('The AWS KMS request id (CloudTrail), recorded for correlation.'),
    KmsViaService: str(1, 256).optional().describe('The AWS service that called AWS KMS on the caller\'s behalf.'),
  })
  .describe('The spec\'s requestMetadata: who called AWS KMS, for which operation and key.');

export const xksKeyId = z.string().regex(XKS_KEY_ID_PATTERN, 'Member must be 1 to 128 letters, digits, -, . or _').describe('The external key id AWS KMS names.');
export const exposedKey = keyIdParam.describe('The Arca key the external key id is configured for (the transport fills it in).');

/** The `arca:Xks…` condition keys every XKS operation supplies (docs/xks-proxy.md). */
export function xksConditions<I extends { readonly XksKeyId: string; readonly RequestMetadata: XksRequestMetadata }>(c: ConditionBuilder<I>): ConditionDeclaration<I>[] {
  return [
    c.scalar('arca:XksKeyId', (i) => i.XksKeyId),
    c.scalar('arca:XksAwsPrincipalArn', (i) => i.RequestMetadata.AwsPrincipalArn),
    c.scalar('arca:XksKmsOperation', (i) => i.RequestMetadata.KmsOperation),
    c.scalar('arca:XksKmsKeyArn', (i) => i.RequestMetadata.KmsKeyArn),
    c.scalar('arca:XksKmsViaService', (i) => i.RequestMetadata.KmsViaService),
    c.scalar('arca:XksAwsSourceVpc', (i) => i.RequestMetadata.AwsSourceVpc),
    c.scalar('arca:XksAwsSourceVpce', (i) => i.RequestMetadata.AwsSourceVpce),
  ];
}

/** What the audit event records of an XKS request: the external key id and the whole requestMetadata. */
export function xksAudit(i: { readonly XksKeyId: string; readonly KeyId: string; readonly RequestMetadata: XksRequestMetadata }): Record<string, unknown> {
  const m = i.RequestMetadata;
  return {
    xksKeyId: i.XksKeyId,
    keyId: i.KeyId,
    requestMetadata: {
      awsPrincipalArn: m.AwsPrincipalArn,
      awsSourceVpc: m.AwsSourceVpc,
      awsSourceVpce: m.AwsSourceVpce,
      kmsKeyArn: m.KmsKeyArn,
      kmsOperation: m.KmsOperation,
      kmsRequestId: m.KmsRequestId,
      kmsViaService: m.KmsViaService,
    },
  };
}

/**
 * The exposure of the request's external key, checked after authorization: only an XKS credential may
 * call (an Arca access key over the AWS protocol may not, whatever its policies), the external key id
 * must be configured for the key that was resolved, and (for encrypt and decrypt) allow the operation.
 */
export function requireExposure(xks: XksExposure | undefined, principal: Principal, input: { readonly XksKeyId: string; readonly KeyId: string }, operation?: XksKeyOperation): XksKeyExposure {
  if (xks === undefined || !xks.isXksCredential(principal.accessKeyId)) throw new KmsError('AccessDenied', 'XKS operations are served only to requests signed with an XKS credential.');
  const exposure = xks.key(input.XksKeyId);
  if (exposure === undefined || exposure.key !== input.KeyId) throw new KmsError('KeyNotFound', `External key ${input.XksKeyId} is not exposed by this proxy.`);
  if (operation !== undefined && !exposure.operations.includes(operation)) throw new KmsError('InvalidKeyUsage', `External key ${input.XksKeyId} does not allow ${operation}.`);
  return exposure;
}
