import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStsRequest } from './protocol-switch.js';

const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260601/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
const form = 'application/x-www-form-urlencoded; charset=utf-8';

describe('POST / protocol switch', () => {
  it('a form body signed for sts, or unsigned, is STS', () => {
    assert.equal(isStsRequest({ headers: [['Content-Type', form], ['Authorization', auth('sts')]] }), true);
    assert.equal(isStsRequest({ headers: [['content-type', 'application/x-www-form-urlencoded']] }), true);
  });

  it('AWS JSON, and a form body signed for kms, stay with the JSON adapter', () => {
    assert.equal(isStsRequest({ headers: [['content-type', 'application/x-amz-json-1.1'], ['authorization', auth('kms')]] }), false);
    assert.equal(isStsRequest({ headers: [['content-type', 'application/x-amz-json-1.1'], ['authorization', auth('sts')]] }), false);
    assert.equal(isStsRequest({ headers: [['content-type', form], ['authorization', auth('kms')]] }), false);
    assert.equal(isStsRequest({ headers: [] }), false);
  });
});
