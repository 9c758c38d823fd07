import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES, KmsError } from '../../core/errors.js';
import { KMIP_REASONS, kmipMessage } from './errors.js';
import { RESULT_REASON } from './tags.js';

describe('KMIP result reasons of Arca errors', () => {
  test('every error code answers a reason KMIP 1.4 defines, so a 1.x client can decode it', () => {
    for (const code of ERROR_CODES) {
      const value = RESULT_REASON[KMIP_REASONS[code]];
      assert.ok(value <= 0x18 || value === 0x100, `${code} → ${KMIP_REASONS[code]} (0x${value.toString(16)}) is not a KMIP 1.x reason`);
    }
    assert.equal(KMIP_REASONS.AccessDenied, 'PermissionDenied');
    assert.equal(KMIP_REASONS.MissingAuthentication, 'AuthenticationNotSuccessful');
  });

  test('the message keeps Arca\'s code and message, but never an internal error\'s', () => {
    assert.equal(kmipMessage(new KmsError('KeyDisabled', 'arn:… is disabled.')), 'KeyDisabled: arn:… is disabled.');
    assert.equal(kmipMessage(new KmsError('Internal', 'ENOSPC at /var/lib/arca/arca.db')), 'Internal: An internal error occurred.');
  });
});
