import { matchTotp } from '../../../crypto/totp.js';
import { mfaSecretBinding } from '../../../core/bindings.js';
import { KmsError } from '../../../core/errors.js';
import { MFA_FAILED_MESSAGE } from '../../../core/mfa.js';
import type { Principal } from '../../../core/principal.js';
import type { ServiceDeps } from '../../pipeline/deps.js';

/** STS's MFA members as parsed. */
export interface MfaInput {
  readonly SerialNumber?: string | undefined;
  readonly TokenCode?: string | undefined;
}

/**
 * Checks an STS request's MFA code and consumes its time step (AWS GetSessionToken and AssumeRole with
 * `SerialNumber` and `TokenCode`); answers when MFA was proved, or undefined when the request names no
 * device. The device is the caller's own (a session's caller: its role or user), named by its serial
 * number. A code that is wrong, outside ±1 step, of a step already used or older than the last used one
 * (replay), an unknown device or a serial number without a code are all AWS's one AccessDenied.
 */
export async function verifyMfa(deps: Pick<ServiceDeps, 'clock' | 'principals' | 'keyring'>, caller: Principal, input: MfaInput): Promise<Date | undefined> {
  if (input.SerialNumber === undefined && input.TokenCode === undefined) return undefined;
  const denied = () => new KmsError('AccessDenied', MFA_FAILED_MESSAGE);
  if (input.SerialNumber === undefined || input.TokenCode === undefined) throw denied();
  const device = await deps.principals.getMfaDevice(caller.id);
  if (device === undefined || device.serialNumber !== input.SerialNumber) throw denied();
  const now = deps.clock.now();
  const seed = await deps.keyring.unwrap({ wrapped: device.wrappedSecret, domainKeyVersion: device.domainKeyVersion }, mfaSecretBinding(caller.id));
  let step: number | undefined;
  try {
    step = matchTotp(seed, input.TokenCode, now);
  } finally {
    seed.dispose();
  }
  if (step === undefined || step <= device.lastTimeStep) throw denied();
  if (!(await deps.principals.acceptMfaTimeStep(caller.id, step))) throw denied();
  return now;
}
