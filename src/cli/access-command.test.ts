import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration } from './access-command.js';

describe('arca access request --for', () => {
  test('reads seconds, minutes and hours (a bare number is seconds)', () => {
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('30m'), 1800);
    assert.equal(parseDuration('2h'), 7200);
    assert.equal(parseDuration('45'), 45);
  });

  test('refuses anything else', () => {
    for (const text of ['', 'soon', '2d', '1.5h', '-3m', 'h']) assert.equal(parseDuration(text), undefined, text);
  });
});
