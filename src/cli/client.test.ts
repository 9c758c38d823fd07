import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArcaCallError, reportCallError } from './client.js';

/** What `fn` writes to stderr (the write is captured, not shown). */
function stderrOf(fn: () => void): string {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return text;
}

describe('reportCallError', () => {
  it('prints the error type and its message, exit status 1', () => {
    let status = 0;
    assert.equal(stderrOf(() => (status = reportCallError(new ArcaCallError('DisabledException', 'k is disabled.', 400)))), 'arca: DisabledException: k is disabled.\n');
    assert.equal(status, 1);
  });

  it('prints the type alone for an error sent without a message (AWS sends a failed decryption bare)', () => {
    assert.equal(stderrOf(() => reportCallError(new ArcaCallError('InvalidCiphertextException', '', 400))), 'arca: InvalidCiphertextException\n');
  });

  it('rethrows anything that is not a server answer', () => {
    assert.throws(() => reportCallError(new Error('boom')), /boom/);
  });
});
