import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';

/**
 * A validated input as text, and back (issue 18): a request an approval rule holds is stored this way and
 * replayed by ExecuteApproved through the operation's own schema, whatever transport it came by. Bytes
 * are `{"$hex": …}`, times `{"$date": ISO-8601}` and come back as what every input schema reads a
 * time from: AWS JSON's epoch seconds. An input holding a secret (plaintext) is never stored: encoding it
 * fails, and rules may not name such operations.
 */

/** Encodes a validated input. Throws for a secret. */
export function encodeInput(input: unknown): string {
  return JSON.stringify(input, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (raw instanceof SecretBytes) throw new KmsError('UnsupportedOperation', 'A request that carries a secret cannot be held for approval.');
    if (Buffer.isBuffer(raw)) return { $hex: raw.toString('hex') };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return value;
  });
}

/** Decodes what {@link encodeInput} wrote, for the operation's schema to validate again. */
export function decodeInput(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o['$hex'] === 'string') return Buffer.from(o['$hex'], 'hex');
      if (keys.length === 1 && typeof o['$date'] === 'string') return Date.parse(o['$date']) / 1000;
    }
    return value;
  });
}
