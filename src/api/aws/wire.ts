import { SecretBytes } from '../../crypto/secret-bytes.js';

/**
 * Turns an operation's output into AWS JSON 1.1: blobs (Buffer, SecretBytes) become base64 strings and
 * timestamps epoch seconds. Every SecretBytes met is collected in `secrets` so the caller can zero it
 * once the response is written.
 */
export function toWire(value: unknown, secrets: SecretBytes[]): unknown {
  if (value instanceof SecretBytes) {
    secrets.push(value);
    return value.expose().toString('base64');
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map((v) => toWire(v, secrets));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, secrets);
    return out;
  }
  return value;
}
