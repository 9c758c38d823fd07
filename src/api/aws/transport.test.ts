import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue } from './transport.js';

describe('headerValue', () => {
  const headers: [string, string][] = [
    ['X-Amz-Target', 'TrentService.Encrypt'],
    ['User-Agent', 'aws-sdk-js/3'],
    ['x-amz-target', 'TrentService.Decrypt'],
    ['user-agent', 'second'],
  ];

  it('reads a header whatever its case, joining repeated values as node does for unknown headers', () => {
    assert.equal(headerValue(headers, 'x-amz-target'), 'TrentService.Encrypt, TrentService.Decrypt');
  });

  it('keeps the first user-agent, as node does', () => {
    assert.equal(headerValue(headers, 'user-agent'), 'aws-sdk-js/3');
  });

  it('answers an empty string for an absent header', () => {
    assert.equal(headerValue([], 'x-amz-target'), '');
  });
});
