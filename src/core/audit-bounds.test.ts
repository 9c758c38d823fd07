import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_FIELD_LIMITS, auditEvent } from './audit.js';

const long = (n: number) => 'x'.repeat(n);

describe('auditEvent bounds caller-controlled text', () => {
  it('cuts eventName, userAgent, sourceIPAddress, errorMessage and strings inside the parameters, ending them in …', () => {
    const e = auditEvent({
      eventTime: '2026-01-01T00:00:00.000Z',
      eventName: long(5000),
      awsRegion: 'us-east-1',
      sourceIPAddress: long(500),
      userAgent: long(9000),
      userIdentity: { type: 'Anonymous' },
      requestParameters: { description: long(20_000), nested: { list: [long(20_000), 7] }, [long(9000)]: true },
      responseElements: null,
      errorCode: 'ValidationFailed',
      errorMessage: long(5000),
      requestID: 'r',
      eventID: 'e',
      resources: [],
      readOnly: true,
    });
    const L = AUDIT_FIELD_LIMITS;
    assert.equal(e.eventName.length, L.eventName);
    assert.ok(e.eventName.endsWith('…'));
    assert.equal(e.userAgent.length, L.userAgent);
    assert.equal(e.sourceIPAddress.length, L.sourceIPAddress);
    assert.equal(e.errorMessage?.length, L.errorMessage);
    const p = e.requestParameters as { description: string; nested: { list: [string, number] } };
    assert.equal(p.description.length, L.parameterString);
    assert.equal(p.nested.list[0].length, L.parameterString);
    assert.equal(p.nested.list[1], 7);
    assert.ok(Object.keys(p).every((k) => k.length <= L.parameterString));
  });

  it('keeps ordinary values as they are', () => {
    const fields = {
      eventTime: '2026-01-01T00:00:00.000Z',
      eventName: 'Encrypt',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      userAgent: 'aws-sdk-js/3',
      userIdentity: { type: 'Anonymous' as const },
      requestParameters: { keyId: 'alias/a', encryptionContext: { a: 'b' }, plaintextLength: 4 },
      responseElements: null,
      requestID: 'r',
      eventID: 'e',
      resources: [],
      readOnly: true,
    };
    assert.deepEqual(auditEvent(fields), { eventVersion: '1.08', eventSource: 'kms', eventCategory: 'Management', ...fields });
  });
});
