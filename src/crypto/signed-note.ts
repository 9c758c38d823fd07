import { createHash } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures: a UTF-8 text ending in a
 * newline, a blank line, then one signature line per signer, `— <key name> <base64(key id || signature)>`.
 * The signature covers the text only (every byte up to and including its last newline).
 */

/** The signature type byte of an Ed25519 note key. */
export const NOTE_ED25519 = 0x01;

/** A key name is non-empty and has no Unicode space and no '+'. */
export function isNoteKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** The 4-byte key id: the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || Ed25519 public key). */
export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, NOTE_ED25519)).update(publicKey).digest().subarray(0, 4);
}

/** The signed note: `text` (must end in a newline), a blank line and the signature line. */
export function signedNote(text: string, name: string, publicKey: Uint8Array, signature: Uint8Array): string {
  if (!text.endsWith('\n')) throw new TypeError('a note text ends with a newline');
  if (!isNoteKeyName(name)) throw new TypeError('a note key name is non-empty, without spaces or +');
  if (signature.length !== 64) throw new TypeError('an Ed25519 signature is 64 bytes');
  return `${text}\n\u2014 ${name} ${Buffer.concat([noteKeyId(name, publicKey), signature]).toString('base64')}\n`;
}
