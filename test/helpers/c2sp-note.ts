import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * Parses and verifies a C2SP tlog-checkpoint in signed-note format (https://c2sp.org/signed-note,
 * https://c2sp.org/tlog-checkpoint) written from the specs with node:crypto only — independent of Arca's
 * formatter. Asserts (throws) on any deviation; returns the checkpoint's origin, size and root hash.
 */
export function verifyCheckpointIndependently(note: string, publicKey: Buffer): { origin: string; size: number; root: Buffer } {
  const split = note.indexOf('\n\n');
  assert.ok(split > 0, 'a blank line separates text and signatures');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2).split('\n');
  assert.equal(sigLines.at(-1), '', 'the note ends with a newline');
  const [origin, size, rootB64, ...extra] = text.slice(0, -1).split('\n');
  assert.deepEqual(extra, []);
  assert.ok(origin !== undefined && origin.length > 0 && !/[\s+]/.test(origin));
  assert.match(size ?? '', /^(0|[1-9][0-9]*)$/);
  const root = Buffer.from(rootB64 ?? '', 'base64');
  assert.equal(root.length, 32);
  assert.equal(root.toString('base64'), rootB64);
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(sigLines[0] ?? '');
  assert.ok(m !== null, `signature line: ${sigLines[0]}`);
  const [, name, sigB64] = m;
  assert.equal(name, origin);
  const blob = Buffer.from(sigB64 ?? '', 'base64');
  assert.equal(blob.length, 4 + 64);
  const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(name ?? '', 'utf8'), Buffer.from([0x0a, 0x01]), publicKey])).digest().subarray(0, 4);
  assert.deepEqual(blob.subarray(0, 4), keyId);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
  assert.equal(verify(null, Buffer.from(text, 'utf8'), key, blob.subarray(4)), true, 'Ed25519 signature over the note text');
  return { origin: origin ?? '', size: Number(size), root };
}
