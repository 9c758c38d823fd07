import { auditEvent, type AuditEvent } from '../../core/audit.js';
import type { AuditRows } from '../../core/audit-rows.js';
import type { UnitOfWork } from '../../core/unit-of-work.js';

/** What the unit-of-work and audit-row suites are given: both ports over one fresh, empty store. */
export interface AuditStoreFixture {
  readonly uow: UnitOfWork;
  readonly rows: AuditRows;
  close(): void;
}

/** Opens a fresh, empty store for the audit ports. */
export type AuditStoreFactory = () => AuditStoreFixture | Promise<AuditStoreFixture>;

/** Runs `test` over a fresh store, closing it after. */
export function withAuditStore(factory: AuditStoreFactory, test: (s: AuditStoreFixture) => Promise<void>): () => Promise<void> {
  return async () => {
    const s = await factory();
    try {
      await test(s);
    } finally {
      s.uow.close();
      s.close();
    }
  };
}

/** A small event (`n` makes its ids unique) naming one key. */
export function sampleEvent(n: number, eventTime = `2026-01-0${1 + (n % 9)}T00:00:00.000Z`): AuditEvent {
  return auditEvent({
    eventTime,
    eventName: 'Encrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'contract',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
    requestParameters: { n },
    responseElements: null,
    requestID: `request-${n}`,
    eventID: `event-${n}`,
    resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/k', type: 'AWS::KMS::Key' }],
    readOnly: false,
  });
}

/** A probe row the unit-of-work suite writes and reads back: a tree head of size `n`. */
export function putProbe(rows: AuditRows, n: number): Promise<void> {
  return rows.insertTreeHead({ treeSize: n, rootHash: Buffer.alloc(32, n), timestamp: 't', signature: Buffer.from('s'), checkpointSignature: Buffer.from('c') });
}
