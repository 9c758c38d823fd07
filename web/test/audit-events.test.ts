import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/lib/audit-canonical';
import { filtersError, isOwnPoll, keyOf, listInput, mergeNewer, NO_FILTERS } from '../src/lib/audit-events';

const ev = (sequence: number, fields: Partial<AuditEvent> = {}): AuditEvent => ({ eventTime: '2026-12-07T01:00:00.000Z', eventName: 'Encrypt', eventID: `e${sequence}`, arca: { sequence, chainId: 'c', leafHash: '0'.repeat(64) }, ...fields });

describe('audit search logic', () => {
  it('the filter form becomes ListAuditEvents input with only the members given, times as ISO 8601', () => {
    expect(listInput(NO_FILTERS, 50)).toEqual({ Limit: 50 });
    const input = listInput({ ...NO_FILTERS, eventName: ' Encrypt ', outcome: 'Failure', errorCode: 'AccessDenied', keyId: 'k1', startTime: '2026-12-07T01:00' }, 10, '42');
    expect(input).toEqual({ Limit: 10, EventName: 'Encrypt', Outcome: 'Failure', ErrorCode: 'AccessDenied', KeyId: 'k1', StartTime: new Date('2026-12-07T01:00').toISOString(), Marker: '42' });
    expect(filtersError({ ...NO_FILTERS, endTime: 'not a time' })).toBe('To is not a valid time.');
  });

  it('a tail poll prepends only events newer than the newest shown, newest first, never twice', () => {
    const shown = [ev(5), ev(4)];
    expect(mergeNewer(shown, [ev(7), ev(6), ev(5), ev(4)]).map((e) => e.arca?.sequence)).toEqual([7, 6, 5, 4]);
    expect(mergeNewer(shown, [ev(5)])).toEqual(shown);
    expect(mergeNewer([], [ev(1), ev(3), ev(2)]).map((e) => e.arca?.sequence)).toEqual([3, 2, 1]);
    expect(mergeNewer(shown, [ev(9), ev(8)], 3).map((e) => e.arca?.sequence)).toEqual([9, 8, 5]);
  });

  it("names the key of an event from its resource or its keyId, and recognizes the page's own polling", () => {
    expect(keyOf(ev(1, { resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/abc' }] }))).toBe('abc');
    expect(keyOf(ev(1, { requestParameters: { keyId: 'alias/x' } }))).toBe('alias/x');
    expect(keyOf(ev(1, { eventName: 'CreateKey', responseElements: { keyId: 'k-new' } }))).toBe('k-new');
    expect(keyOf(ev(1, { eventName: 'ListKeys' }))).toBe('');
    expect(isOwnPoll(ev(1, { eventName: 'ListAuditEvents', userIdentity: { accessKeyId: 'ASIA1' } }), 'ASIA1')).toBe(true);
    expect(isOwnPoll(ev(1, { eventName: 'ListAuditEvents', userIdentity: { accessKeyId: 'ASIA2' } }), 'ASIA1')).toBe(false);
    expect(isOwnPoll(ev(1, { userIdentity: { accessKeyId: 'ASIA1' } }), 'ASIA1')).toBe(false);
  });
});
