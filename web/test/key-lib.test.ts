import { describe, expect, it } from 'vitest';
import { regionOfKeyRef } from '../src/lib/key-api';
import { aliasesByKey, matches, needsDetails, NO_FILTERS, type KeyRow } from '../src/lib/key-filters';
import { aliasProblem, parseTags, SPECS_BY_USAGE } from '../src/lib/key-specs';
import { bucketDaily, isKeyUse, usageLabel, usageWindowStart } from '../src/lib/key-usage';

describe('key usage buckets', () => {
  const now = new Date('2026-12-07T01:30:00Z');
  it('the window starts at midnight UTC thirteen days before today', () => {
    expect(usageWindowStart(now).toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
  it('counts events per UTC day, oldest first, today last; events before the window or unparsable are ignored', () => {
    const counts = bucketDaily(
      [
        { eventTime: '2026-12-07T00:00:00Z' },
        { eventTime: '2026-12-07T01:29:00Z' },
        { eventTime: '2026-12-06T23:59:59.999Z' },
        { eventTime: '2026-11-24T00:00:00Z' },
        { eventTime: '2026-11-23T23:59:59Z' },
        { eventTime: 'not a date' },
      ],
      now,
    );
    expect(counts).toHaveLength(14);
    expect(counts[13]).toBe(2);
    expect(counts[12]).toBe(1);
    expect(counts[0]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  });
  it('the label gives the total and each day', () => {
    const label = usageLabel(bucketDaily([{ eventTime: '2026-12-07T00:00:01Z' }, { eventTime: '2026-12-07T00:00:02Z' }], now), now);
    expect(label).toMatch(/^2 cryptographic requests in the last 14 days \(11-24: 0, /);
    expect(label).toMatch(/12-07: 2\)$/);
  });
  it('usage is cryptographic operations only', () => {
    expect(isKeyUse({ eventName: 'Encrypt' })).toBe(true);
    expect(isKeyUse({ eventName: 'GenerateDataKey' })).toBe(true);
    expect(isKeyUse({ eventName: 'DescribeKey' })).toBe(false);
    expect(isKeyUse({ eventName: 'SimulateKeyPolicy' })).toBe(false);
  });
});

describe('key list filters', () => {
  const row: KeyRow = { keyId: 'k1', arn: 'arn:aws:kms:us-east-1:111122223333:key/k1', aliases: ['alias/payments-prod'], state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', tags: [{ TagKey: 'env', TagValue: 'prod' }] };
  it('alias is a case-insensitive substring; region is the ARN region', () => {
    expect(matches(row, { ...NO_FILTERS, alias: 'PAYMENTS' })).toBe(true);
    expect(matches(row, { ...NO_FILTERS, alias: 'billing' })).toBe(false);
    expect(matches(row, { ...NO_FILTERS, region: 'us-east-1' })).toBe(true);
    expect(matches(row, { ...NO_FILTERS, region: 'eu-west-1' })).toBe(false);
  });
  it('tag key=value, key= and key alone', () => {
    expect(matches(row, { ...NO_FILTERS, tag: 'env=prod' })).toBe(true);
    expect(matches(row, { ...NO_FILTERS, tag: 'env=dev' })).toBe(false);
    expect(matches(row, { ...NO_FILTERS, tag: 'env' })).toBe(true);
    expect(matches(row, { ...NO_FILTERS, tag: 'team=' })).toBe(false);
  });
  it('state and spec; a row without details does not pass a details filter', () => {
    expect(matches(row, { ...NO_FILTERS, state: 'Enabled', spec: 'SYMMETRIC_DEFAULT' })).toBe(true);
    expect(matches(row, { ...NO_FILTERS, state: 'Disabled' })).toBe(false);
    expect(matches({ keyId: 'k2', arn: row.arn, aliases: [] }, { ...NO_FILTERS, state: 'Enabled' })).toBe(false);
    expect(needsDetails({ ...NO_FILTERS, alias: 'x' })).toBe(false);
    expect(needsDetails({ ...NO_FILTERS, tag: 'env' })).toBe(true);
  });
  it('aliases are grouped by target key; aliases without a target are dropped', () => {
    expect(aliasesByKey([{ AliasName: 'alias/a', TargetKeyId: 'k1' }, { AliasName: 'alias/b', TargetKeyId: 'k1' }, { AliasName: 'alias/aws/s3' }])).toEqual(new Map([['k1', ['alias/a', 'alias/b']]]));
  });
});

describe('create-key helpers', () => {
  it('specs follow usage', () => {
    expect(SPECS_BY_USAGE.GENERATE_VERIFY_MAC.every((s) => s.startsWith('HMAC_'))).toBe(true);
    expect(SPECS_BY_USAGE.KEY_AGREEMENT).not.toContain('SYMMETRIC_DEFAULT');
  });
  it('alias names', () => {
    expect(aliasProblem('')).toBeUndefined();
    expect(aliasProblem('alias/payments')).toBeUndefined();
    expect(aliasProblem('payments')).toMatch(/starts with alias\//);
    expect(aliasProblem('alias/aws/x')).toMatch(/reserved/);
    expect(aliasProblem('alias/a b')).toMatch(/letters, digits/);
  });
  it('tags', () => {
    expect(parseTags('env=prod\nteam = pay')).toEqual({ tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'pay' }] });
    expect(parseTags('env').problem).toMatch(/not key=value/);
  });
});

describe('regionOfKeyRef', () => {
  it('a key ARN names its region; a key id or alias names none (the session region applies)', () => {
    expect(regionOfKeyRef('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('eu-west-1');
    expect(regionOfKeyRef('1234abcd-12ab-34cd-56ef-1234567890ab')).toBeUndefined();
    expect(regionOfKeyRef('alias/payments')).toBeUndefined();
  });
});
