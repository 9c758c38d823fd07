import { constantTimeEqual, hmac } from '../crypto/kdf.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { Realm } from '../core/arn.js';
import { KmsError } from '../core/errors.js';
import type { AuthenticationRequest, Authenticator, Clock, Keyring, PrincipalStore } from '../core/ports.js';
import { accessKeySecretBinding } from '../core/bindings.js';
import type { Principal } from '../core/principal.js';
import { canonicalRequest, checkRequestShape, headerMap, parseAuthorization, signingKey, stringToSign } from './sigv4.js';

/** Cached signing keys at most; reaching it empties the cache (a day's keys are re-derived on demand). */
export const SIGNING_KEY_CACHE_LIMIT = 4096;
const unrecognized = () => new KmsError('UnrecognizedClient', 'The security token included in the request is invalid.');

/**
 * Authenticates AWS SigV4 requests against Arca's access keys. The access key is looked up on every
 * request (so disabling it takes effect at once); the derived signing key is cached per key and day,
 * which saves unwrapping the secret and four HMACs per request.
 */
export class SigV4Authenticator implements Authenticator {
  readonly #store: Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal'>;
  readonly #keyring: Keyring;
  readonly #realm: Realm;
  readonly #clock: Clock;
  /** Per access key, day and domain key version: the wrapped secret the key was derived from, and the key. */
  readonly #signingKeys = new Map<string, { readonly wrapped: Buffer; readonly key: SecretBytes }>();

  constructor(deps: { store: Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal'>; keyring: Keyring; realm: Realm; clock: Clock }) {
    this.#store = deps.store;
    this.#keyring = deps.keyring;
    this.#realm = deps.realm;
    this.#clock = deps.clock;
  }

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    const headers = headerMap(req.headers);
    const authorization = headers.get('authorization');
    if (authorization === undefined) throw new KmsError('MissingAuthentication', 'Missing Authentication Token');
    if (headers.has('x-amz-security-token')) throw unrecognized();
    const auth = parseAuthorization(authorization);
    const amzDate = checkRequestShape(auth, headers, { region: this.#realm.region, service: 'kms' }, this.#clock.now());

    const accessKey = await this.#store.getAccessKey(auth.accessKeyId);
    if (accessKey === undefined || accessKey.status !== 'Active') throw unrecognized();
    const toSign = Buffer.from(stringToSign(amzDate, auth, canonicalRequest(req, headers, auth.signedHeaders)));
    const expected = await this.#sign(auth.accessKeyId, auth.date, accessKey.domainKeyVersion, accessKey.wrappedSecret, toSign);
    if (!constantTimeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
      throw new KmsError(
        'InvalidSignature',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    const principal = await this.#store.getPrincipal(accessKey.principalId);
    if (principal === undefined) throw unrecognized();
    return { id: principal.id, type: principal.type, name: principal.name, arn: principal.arn, account: this.#realm.account, accessKeyId: auth.accessKeyId };
  }

  /**
   * The HMAC of `toSign` under the (cached) signing key. A cached key is used in the same synchronous
   * step that reads it: returning the key across an `await` would let a concurrent eviction or
   * `forgetAll` zero it before use.
   */
  async #sign(accessKeyId: string, date: string, domainKeyVersion: number, wrapped: Buffer, toSign: Buffer): Promise<Buffer> {
    const cacheKey = `${accessKeyId}/${date}/${domainKeyVersion}`;
    const hit = this.#signingKeys.get(cacheKey);
    if (hit !== undefined && hit.wrapped.equals(wrapped)) return hmac('sha256', hit.key, toSign);
    const secret = await this.#keyring.unwrap({ domainKeyVersion, wrapped }, accessKeySecretBinding(accessKeyId));
    try {
      const derived = signingKey(secret, date, this.#realm.region, 'kms');
      if (this.#signingKeys.size >= SIGNING_KEY_CACHE_LIMIT) this.forgetAll();
      this.#signingKeys.get(cacheKey)?.key.dispose();
      this.#signingKeys.set(cacheKey, { wrapped: Buffer.from(wrapped), key: derived });
      return hmac('sha256', derived, toSign);
    } finally {
      secret.dispose();
    }
  }

  /** For tests that pin the seal invariant: how many derived signing keys are cached. */
  get cachedSigningKeys(): number {
    return this.#signingKeys.size;
  }

  /** Zeroes and drops every cached signing key (seal). */
  forgetAll(): void {
    for (const k of this.#signingKeys.values()) k.key.dispose();
    this.#signingKeys.clear();
  }
}
