import { constantTimeEqual, hmac } from '../crypto/kdf.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { Realm } from '../core/arn.js';
import { KmsError } from '../core/errors.js';
import type { AuthenticationRequest, Authenticator, Clock, Keyring, PrincipalStore } from '../core/ports.js';
import { accessKeySecretBinding, sessionSecretBinding } from '../core/bindings.js';
import { assumedRoleArn, federatedProviderOf, sessionTokenDigest, type SessionRecord } from '../core/session.js';
import type { Principal } from '../core/principal.js';
import { canonicalRequest, checkRequestShape, headerMap, parseAuthorization, signingKey, stringToSign } from './sigv4.js';

/** What verifies a signature: a long-term access key or a session's temporary one. */
interface Credential {
  readonly principalId: string;
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  /** The AAD binding the secret was wrapped under. */
  readonly binding: Buffer;
  readonly session: SessionRecord | undefined;
}

/** The `X-Amz-Security-Token` query parameter (a presigned request's), when present. */
function securityTokenParam(query: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === 'X-Amz-Security-Token') {
      try {
        return decodeURIComponent(pair.slice(eq + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Cached signing keys at most; reaching it empties the cache (a day's keys are re-derived on demand). */
export const SIGNING_KEY_CACHE_LIMIT = 4096;
const unrecognized = () => new KmsError('UnrecognizedClient', 'The security token included in the request is invalid.');

/**
 * Authenticates AWS SigV4 requests against Arca's access keys, and against STS sessions when the request
 * carries `X-Amz-Security-Token` (issue 17). The access key or session is looked up on every request (so
 * disabling a key or revoking a session takes effect at once); the derived signing key is cached per key and day,
 * which saves unwrapping the secret and four HMACs per request.
 */
export class SigV4Authenticator implements Authenticator {
  readonly #store: Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal' | 'getSession'>;
  readonly #keyring: Keyring;
  readonly #realm: Realm;
  readonly #clock: Clock;
  readonly #anyCredentialsAs: (() => string | undefined) | undefined;
  /** Per access key, day and domain key version: the wrapped secret the key was derived from, and the key. */
  readonly #signingKeys = new Map<string, { readonly wrapped: Buffer; readonly key: SecretBytes }>();

  /**
   * `anyCredentialsAs` (INSECURE, `arca dev --accept-any-credentials` only): the id of the principal that a
   * request signed with an access key (or session) Arca does not know acts as, its signature parsed but not
   * verified, so that test suites with dummy credentials run unchanged. A known key is still verified.
   */
  constructor(deps: { store: Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal' | 'getSession'>; keyring: Keyring; realm: Realm; clock: Clock; anyCredentialsAs?: (() => string | undefined) | undefined }) {
    this.#store = deps.store;
    this.#keyring = deps.keyring;
    this.#realm = deps.realm;
    this.#clock = deps.clock;
    this.#anyCredentialsAs = deps.anyCredentialsAs;
  }

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    const headers = headerMap(req.headers);
    const authorization = headers.get('authorization');
    if (authorization === undefined) throw new KmsError('MissingAuthentication', 'Missing Authentication Token');
    const service = req.signingService ?? 'kms';
    const auth = parseAuthorization(authorization);
    const amzDate = checkRequestShape(auth, headers, { region: this.#realm.region, service }, this.#clock.now());
    const token = headers.get('x-amz-security-token') ?? securityTokenParam(req.query);
    const credential = await (token === undefined ? this.#longTermKey(auth.accessKeyId) : this.#session(auth.accessKeyId, token)).catch(async (e: unknown) => {
      const actAs = e instanceof KmsError && e.code === 'UnrecognizedClient' ? this.#anyCredentialsAs?.() : undefined;
      if (actAs === undefined) throw e;
      return actAs;
    });
    if (typeof credential === 'string') return this.#anyCredential(credential, auth.accessKeyId);
    const toSign = Buffer.from(stringToSign(amzDate, auth, canonicalRequest(req, headers, auth.signedHeaders)));
    const expected = await this.#sign(auth.accessKeyId, auth.date, service, credential.domainKeyVersion, credential.wrappedSecret, credential.binding, toSign);
    if (!constantTimeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
      throw new KmsError(
        'InvalidSignature',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    const principal = await this.#store.getPrincipal(credential.principalId);
    if (principal === undefined) throw unrecognized();
    const base = { id: principal.id, type: principal.type, name: principal.name, arn: principal.arn, account: this.#realm.account, accessKeyId: auth.accessKeyId };
    const session = credential.session;
    if (session === undefined) return base;
    const assumed = session.kind === 'AssumedRole';
    return {
      ...base,
      arn: assumed ? assumedRoleArn(this.#realm, principal.name, session.sessionName) : principal.arn,
      session: { kind: session.kind, sessionName: session.sessionName, issuerArn: principal.arn, issuedAt: session.issuedAt, expiresAt: session.expiresAt, tags: session.tags, transitiveTagKeys: session.transitiveTagKeys, mfaAuthenticatedAt: session.mfaAuthenticatedAt, federatedProvider: federatedProviderOf(session.sourceArn) },
    };
  }

  /** `--accept-any-credentials`: an unknown access key acts as principal `principalId`, unverified. */
  async #anyCredential(principalId: string, accessKeyId: string): Promise<Principal> {
    const principal = await this.#store.getPrincipal(principalId);
    if (principal === undefined) throw unrecognized();
    return { id: principal.id, type: principal.type, name: principal.name, arn: principal.arn, account: this.#realm.account, accessKeyId };
  }

  async #longTermKey(accessKeyId: string): Promise<Credential> {
    const accessKey = await this.#store.getAccessKey(accessKeyId);
    if (accessKey === undefined || accessKey.status !== 'Active') throw unrecognized();
    return { principalId: accessKey.principalId, wrappedSecret: accessKey.wrappedSecret, domainKeyVersion: accessKey.domainKeyVersion, binding: accessKeySecretBinding(accessKeyId), session: undefined };
  }

  /**
   * Temporary credentials: the session of the access key id, whose token digest matches (compared in
   * constant time), unexpired and not revoked. Any mismatch is the one invalid-token answer; an expired
   * session whose token matches is told so (AWS's ExpiredToken).
   */
  async #session(accessKeyId: string, token: string): Promise<Credential> {
    const session = await this.#store.getSession(accessKeyId);
    if (session === undefined || !constantTimeEqual(sessionTokenDigest(token), session.tokenHash)) throw unrecognized();
    if (session.revokedAt !== undefined) throw unrecognized();
    if (this.#clock.now().getTime() >= session.expiresAt.getTime()) throw new KmsError('ExpiredToken', 'The security token included in the request is expired');
    return { principalId: session.principalId, wrappedSecret: session.wrappedSecret, domainKeyVersion: session.domainKeyVersion, binding: sessionSecretBinding(accessKeyId), session };
  }

  /**
   * The HMAC of `toSign` under the (cached) signing key. A cached key is used in the same synchronous
   * step that reads it: returning the key across an `await` would let a concurrent eviction or
   * `forgetAll` zero it before use.
   */
  async #sign(accessKeyId: string, date: string, service: string, domainKeyVersion: number, wrapped: Buffer, binding: Buffer, toSign: Buffer): Promise<Buffer> {
    const cacheKey = `${accessKeyId}/${date}/${service}/${domainKeyVersion}`;
    const hit = this.#signingKeys.get(cacheKey);
    if (hit !== undefined && hit.wrapped.equals(wrapped)) return hmac('sha256', hit.key, toSign);
    const secret = await this.#keyring.unwrap({ domainKeyVersion, wrapped }, binding);
    try {
      const derived = signingKey(secret, date, this.#realm.region, service);
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
