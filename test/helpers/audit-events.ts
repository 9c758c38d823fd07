import type { AuditEvent } from '../../src/core/audit.js';

/** An audit event draft for store and verifier tests: number `i`, with `fields` replacing the defaults. */
export function testAuditEvent(i: number, fields: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventVersion: '1.08',
    eventTime: '2026-01-01T00:00:00.000Z',
    eventSource: 'kms',
    eventName: 'Encrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    userIdentity: { type: 'Anonymous' },
    requestParameters: { n: i },
    responseElements: null,
    requestID: `r${i}`,
    eventID: `e${i}`,
    resources: [],
    readOnly: true,
    eventCategory: 'Management',
    ...fields,
  };
}
