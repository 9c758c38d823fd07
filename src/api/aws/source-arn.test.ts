import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../../core/errors.js';
import { claimedSourceArn } from './source-arn.js';

const SOURCE = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
const auth = (signed: string): [string, string] => ['Authorization', `AWS4-HMAC-SHA256 Credential=AKIA/20260601/eu-west-1/kms/aws4_request, SignedHeaders=${signed}, Signature=${'0'.repeat(64)}`];

describe('the x-arca-source-arn header (ADR 0021)', () => {
  it('is absent from a request without it', () => {
    assert.equal(claimedSourceArn([auth('host;x-amz-date')]), undefined);
  });

  it('is read when the signature covers it', () => {
    assert.equal(claimedSourceArn([auth('host;x-amz-date;x-arca-source-arn'), ['X-Arca-Source-Arn', SOURCE]]), SOURCE);
  });

  it('is refused when the signature does not cover it, or there is no signature', () => {
    for (const headers of [[auth('host;x-amz-date'), ['x-arca-source-arn', SOURCE]], [['x-arca-source-arn', SOURCE]]] as [string, string][][]) {
      assert.throws(() => claimedSourceArn(headers), (e: unknown) => e instanceof KmsError && e.code === 'AccessDenied' && /must be signed/.test(e.message));
    }
  });

  it('is refused when sent twice', () => {
    assert.throws(() => claimedSourceArn([auth('host;x-arca-source-arn'), ['x-arca-source-arn', SOURCE], ['x-arca-source-arn', `${SOURCE}2`]]), (e: unknown) => e instanceof KmsError && e.code === 'ValidationFailed');
  });
});
