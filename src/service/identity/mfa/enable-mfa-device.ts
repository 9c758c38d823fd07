import { z } from 'zod';
import { SecretBytes } from '../../../crypto/secret-bytes.js';
import { SecretText } from '../../../crypto/secret-text.js';
import { newTotpSeed, totpSeedBase32, totpUri } from '../../../crypto/totp.js';
import { mfaSecretBinding } from '../../../core/bindings.js';
import { KmsError } from '../../../core/errors.js';
import { mfaSerialNumber } from '../../../core/mfa.js';
import { defineOperation } from '../../pipeline/operation.js';
import { principalName, requirePrincipal } from '../principals.js';

/** The issuer an authenticator app shows next to the code. */
const ISSUER = 'Arca';

const secretText = (s: string) => SecretText.adopt(SecretBytes.adopt(Buffer.from(s, 'utf8')));

/**
 * Creates a principal's virtual MFA device (TOTP, RFC 6238; issue 17). The seed is stored only wrapped
 * under the current domain key (bound to the principal's unique id) and returned in this one answer,
 * as base32 and as an `otpauth://` URI (what a QR code carries); no later call can show it again.
 * A principal has one device: enabling a second is refused until the first is disabled.
 */
export const enableMfaDevice = defineOperation({
  service: 'ArcaService',
  name: 'EnableMfaDevice',
  description: 'Creates a principal’s virtual MFA device (TOTP); the seed is shown in this answer only.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals', 'keyring'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    if ((await deps.principals.getMfaDevice(p.id)) !== undefined) throw new KmsError('AlreadyExists', `The principal ${p.name} has an MFA device already.`);
    const serialNumber = mfaSerialNumber(deps.realm, p.name);
    const seed = newTotpSeed();
    try {
      const wrapped = await deps.keyring.wrap(seed, mfaSecretBinding(p.id));
      const createdAt = deps.clock.now();
      await deps.principals.createMfaDevice({ principalId: p.id, serialNumber, wrappedSecret: wrapped.wrapped, domainKeyVersion: wrapped.domainKeyVersion, createdAt, lastTimeStep: -1 });
      return {
        MfaDevice: {
          PrincipalName: p.name,
          SerialNumber: serialNumber,
          Base32StringSeed: secretText(totpSeedBase32(seed)),
          OtpauthUri: secretText(totpUri(seed, ISSUER, `${p.name}@${deps.realm.account}`)),
          EnableDate: createdAt,
        },
      };
    } finally {
      seed.dispose();
    }
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
  auditResponse: (o) => ({ serialNumber: o.MfaDevice.SerialNumber }),
});
