import type { Realm } from './arn.js';

/**
 * Virtual MFA devices (issue 17, ADR 0018 addendum): one TOTP device (RFC 6238) per principal. The seed
 * is stored only wrapped under a domain key version, bound to the principal's unique id
 * ({@link mfaSecretBinding}); the last accepted time step makes every code usable once.
 */

/** A principal's virtual MFA device as stored. */
export interface MfaDeviceRecord {
  readonly principalId: string;
  /** `arn:aws:iam::<account>:mfa/<principal name>`: what STS callers pass as `SerialNumber`. */
  readonly serialNumber: string;
  /** The TOTP seed (raw bytes), wrapped under a domain key version. */
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly createdAt: Date;
  /** The time step (Unix seconds / 30) of the last code accepted; -1 before the first. */
  readonly lastTimeStep: number;
}

/** MFA devices: the part of the PrincipalStore port MFA added. */
export interface MfaDeviceStore {
  /** The principal's MFA device, if it has one. */
  getMfaDevice(principalId: string): Promise<MfaDeviceRecord | undefined>;
  /** Stores a principal's device; a principal that has one already rejects, changing nothing. */
  createMfaDevice(device: MfaDeviceRecord): Promise<void>;
  /** Removes the principal's device; answers whether there was one. */
  deleteMfaDevice(principalId: string): Promise<boolean>;
  /**
   * Records `step` as the device's last accepted time step if it is later than the stored one, atomically;
   * answers whether it was (false: the code's step was used already, or an older one: a replay).
   */
  acceptMfaTimeStep(principalId: string, step: number): Promise<boolean>;
}

/** The TOTP parameters Arca's virtual devices use (those of AWS's virtual MFA devices). */
export const MFA_TOTP = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 } as const;

/** AWS's answer to a wrong, reused or unknown MFA code (an AccessDenied). */
export const MFA_FAILED_MESSAGE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

/** `arn:aws:iam::<account>:mfa/<name>`: a virtual MFA device's serial number. */
export function mfaSerialNumber(realm: Realm, principalName: string): string {
  return `arn:${realm.partition}:iam::${realm.account}:mfa/${principalName}`;
}
