import { Secret, TOTP } from 'otpauth';
import { randomSecret } from './random.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * TOTP (RFC 6238) for virtual MFA devices, with the `otpauth` package: HMAC-SHA1, 6 digits, 30-second
 * steps, codes accepted one step either side of now (clock drift). The seed is 20 random bytes (160 bits,
 * RFC 4226's recommended length), shown once as base32 and in an `otpauth://` URI.
 */

const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
const WINDOW = 1;
const SEED_BYTES = 20;

/** A new random TOTP seed. */
export function newTotpSeed(): SecretBytes {
  return randomSecret(SEED_BYTES);
}

function secretOf(seed: SecretBytes): Secret {
  return new Secret({ buffer: Uint8Array.from(seed.expose()).buffer });
}

function totpOf(seed: SecretBytes, issuer = '', label = 'OTPAuth'): TOTP {
  return new TOTP({ issuer, label, secret: secretOf(seed), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS });
}

/** The seed in base32 (RFC 4648, no padding): what an authenticator app takes when typed in. */
export function totpSeedBase32(seed: SecretBytes): string {
  return secretOf(seed).base32;
}

/** `otpauth://totp/<issuer>:<label>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`. */
export function totpUri(seed: SecretBytes, issuer: string, label: string): string {
  return totpOf(seed, issuer, label).toString();
}

/** The time step (Unix seconds / 30) of the instant `at`. */
export function totpTimeStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS);
}

/** The code of the seed at the instant `at` (tests and tools; the server only verifies). */
export function totpCode(seed: SecretBytes, at: Date): string {
  return totpOf(seed).generate({ timestamp: at.getTime() });
}

/**
 * The time step whose code `code` is, within one step of `at`; undefined when it matches none (or is not
 * six digits). The caller refuses a step at or before the last one it accepted (replay protection).
 */
export function matchTotp(seed: SecretBytes, code: string, at: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(seed).validate({ token: code, timestamp: at.getTime(), window: WINDOW });
  return delta === null ? undefined : totpTimeStep(at) + delta;
}

/** A seed from its base32 form (what EnableMfaDevice shows); the caller disposes it. */
export function totpSeedFromBase32(base32: string): SecretBytes {
  return SecretBytes.adopt(Buffer.from(Secret.fromBase32(base32).bytes));
}
