import { SecretBytes } from '../../crypto/secret-bytes.js';
import { SecretText } from '../../crypto/secret-text.js';

/**
 * Turns an operation's output into the JSON text of an AWS JSON 1.1 answer: blobs (Buffer, SecretBytes)
 * become base64 strings, SecretText a JSON string, and timestamps epoch seconds; members that are
 * `undefined` are left out. Every secret met is collected in `secrets` so the caller can zero it once the
 * response is written.
 *
 * The same text as `JSON.stringify` of the converted value (wire.test.ts checks it on random values), built
 * directly: base64 needs no escaping, and JSON.stringify scanning a 4 KiB ciphertext's base64 for
 * characters to escape was the largest single cost of writing an answer.
 */
export function wireJson(value: unknown, secrets: (SecretBytes | SecretText)[]): string {
  if (value instanceof SecretBytes) {
    secrets.push(value);
    return `"${value.expose().toString('base64')}"`;
  }
  if (value instanceof SecretText) {
    secrets.push(value);
    return JSON.stringify(value.expose().toString('utf8'));
  }
  if (Buffer.isBuffer(value)) return `"${value.toString('base64')}"`;
  if (value instanceof Date) return JSON.stringify(value.getTime() / 1000);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : wireJson(v, secrets));
    }
    return out + ']';
  }
  if (typeof value === 'object' && value !== null) {
    let out = '{';
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + wireJson(v, secrets);
    }
    return out + '}';
  }
  return JSON.stringify(value) ?? 'null';
}
