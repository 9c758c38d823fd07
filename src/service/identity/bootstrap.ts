import { randomPublicBytes, randomSecret } from '../../crypto/random.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { principalArn, type Realm } from '../../core/arn.js';
import type { Clock, Keyring, PrincipalStore } from '../../core/ports.js';
import type { AdminCredentials } from '../../core/custody.js';
import { accessKeySecretBinding } from '../../core/bindings.js';
import type { PrincipalType } from '../../core/principal.js';
import { sessionTokenDigest } from '../../core/session.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An AWS-shaped access key id: `AKIA` and 16 base-32 characters. */
export function newAccessKeyId(): string {
  const bytes = randomPublicBytes(16);
  let id = 'AKIA';
  for (const b of bytes) id += BASE32[b % 32];
  return id;
}

/**
 * A principal's unique id, in AWS's shape: `AIDA` (users and service accounts, whose ARNs are IAM user
 * ARNs) or `AROA` (roles) and 17 base-32 characters (85 random bits). Never reused: policies and grants
 * name a principal by it, so a deleted and recreated principal of the same name is a new principal.
 */
export function newPrincipalId(type: PrincipalType): string {
  let id = type === 'role' ? 'AROA' : 'AIDA';
  for (const b of randomPublicBytes(17)) id += BASE32[b % 32];
  return id;
}

/** A temporary access key id, as STS issues them: `ASIA` and 16 base-32 characters. */
export function newTemporaryAccessKeyId(): string {
  return `ASIA${newAccessKeyId().slice(4)}`;
}

/**
 * A session token (64 random bytes as base64 text) and the digest it is stored as: the token goes to
 * its owner once, in STS's answer, and is never stored.
 */
export function newSessionToken(): { readonly token: SecretBytes; readonly digest: Buffer } {
  const raw = randomSecret(64);
  try {
    const text = Buffer.from(raw.expose().toString('base64'), 'utf8');
    return { token: SecretBytes.adopt(text), digest: sessionTokenDigest(text) };
  } finally {
    raw.dispose();
  }
}

/** A 40-character secret access key, as AWS issues them. */
export function newSecretAccessKey(): SecretBytes {
  const raw = randomSecret(30);
  try {
    return SecretBytes.adopt(Buffer.from(raw.expose().toString('base64'), 'utf8'));
  } finally {
    raw.dispose();
  }
}

/** The bootstrap administrator's credentials (the type is custody's: InitializeRoot hands them out). */
export type { AdminCredentials };

/**
 * Makes sure the bootstrap administrator `admin` exists with an active access key, and returns that key
 * (unwrapped: only `arca dev` calls this, to print and write its credentials). Idempotent: a second call
 * on the same store returns the same key.
 */
export async function ensureAdmin(deps: { principals: PrincipalStore; keyring: Keyring; realm: Realm; clock: Clock }): Promise<AdminCredentials> {
  const { principals, keyring, realm, clock } = deps;
  let admin = await principals.findPrincipalByName('admin');
  let created = false;
  if (admin === undefined) {
    admin = { id: newPrincipalId('user'), type: 'user', name: 'admin', arn: principalArn(realm, 'user', 'admin'), createdAt: clock.now() };
    await principals.createPrincipal(admin);
    created = true;
  }
  const existing = (await principals.listAccessKeys(admin.id)).find((k) => k.status === 'Active');
  if (existing !== undefined) {
    const secret = await keyring.unwrap({ domainKeyVersion: existing.domainKeyVersion, wrapped: existing.wrappedSecret }, accessKeySecretBinding(existing.accessKeyId));
    return { principalArn: admin.arn, accessKeyId: existing.accessKeyId, secretAccessKey: secret, created };
  }
  const accessKeyId = newAccessKeyId();
  const secret = newSecretAccessKey();
  const wrapped = await keyring.wrap(secret, accessKeySecretBinding(accessKeyId));
  await principals.createAccessKey({
    accessKeyId,
    principalId: admin.id,
    status: 'Active',
    wrappedSecret: wrapped.wrapped,
    domainKeyVersion: wrapped.domainKeyVersion,
    createdAt: clock.now(),
  });
  return { principalArn: admin.arn, accessKeyId, secretAccessKey: secret, created: true };
}
