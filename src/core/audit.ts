/**
 * The audit event: one per request, shaped like a CloudTrail record. Never carries plaintext, key
 * material, secrets or tokens: request parameters are summarized by each operation's `audit` hook.
 */
export interface AuditIdentity {
  readonly type: 'IAMUser' | 'AssumedRole' | 'ServiceAccount' | 'Anonymous';
  readonly arn?: string | undefined;
  readonly accountId?: string | undefined;
  readonly accessKeyId?: string | undefined;
}

export interface AuditEvent {
  readonly eventVersion: '1.08';
  readonly eventTime: string;
  readonly eventSource: 'kms';
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly userIdentity: AuditIdentity;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly requestID: string;
  readonly eventID: string;
  readonly resources: readonly { readonly ARN: string; readonly type: 'AWS::KMS::Key' }[];
  readonly readOnly: boolean;
  readonly eventCategory: 'Management';
}
