import type { CallerFacts } from '../../core/custody.js';
import { CUSTOM_KEY_STORE_ID, isCustomKeyStoreOrigin, XKS_FAILURES, XksProxyError, type CustomKeyStoreRecord, type CustomKeyStoresDeps, type CustomKeyStoreStore, type XksFailure, type XksProxyTarget } from '../../core/custom-key-stores.js';
import type { HsmKeyStoreConnection } from '../../core/hsm-keys.js';
import type { Logger } from '../../core/ports.js';
import { KmsError, type ErrorCode } from '../../core/errors.js';
import type { KeyRecord, KeySpec, KeyUsage, Origin } from '../../core/key.js';

/**
 * Keys inside custom key stores (ADR 0024, docs/custom-key-stores.md), the service side: CreateKey's checks
 * for `Origin=EXTERNAL_KEY_STORE` / `AWS_CLOUDHSM`, and the metadata DescribeKey and CreateKey show. The
 * cryptography is custody's (src/custody/custom-key-store-cipher.ts).
 */

/** What CreateKey asks for a key in a custom key store. */
export interface CustomKeyStoreKeyRequest {
  readonly origin: Origin;
  readonly customKeyStoreId?: string | undefined;
  readonly xksKeyId?: string | undefined;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly multiRegion: boolean;
}

/** A checked custom key store key to create: its store, and the external key id (XKS) or `undefined` (HSM: the label is the key id). */
export interface CustomKeyStoreKeyPlan {
  readonly store: CustomKeyStoreRecord;
  readonly xksKeyId: string | undefined;
}

/** Who asks, and the key, for the proxy's requestMetadata. */
export type CustomKeyStoreCaller = CallerFacts & { readonly keyArn: string };

/**
 * The parameter rules AWS applies before any store is read: CustomKeyStoreId only with a custom key store
 * origin (and required with one), XksKeyId only and always with EXTERNAL_KEY_STORE, and only symmetric
 * encryption keys in a single Region.
 */
export function checkCustomKeyStoreParams(req: CustomKeyStoreKeyRequest): void {
  const inStore = isCustomKeyStoreOrigin(req.origin);
  if (!inStore) {
    if (req.customKeyStoreId !== undefined) throw new KmsError('ValidationFailed', `CustomKeyStoreId is valid only with Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not ${req.origin}.`);
    if (req.xksKeyId !== undefined) throw new KmsError('ValidationFailed', 'XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.');
    return;
  }
  if (req.customKeyStoreId === undefined) throw new KmsError('ValidationFailed', `Origin ${req.origin} requires a CustomKeyStoreId.`);
  if (req.origin === 'EXTERNAL_KEY_STORE' && req.xksKeyId === undefined) throw new KmsError('ValidationFailed', 'Origin EXTERNAL_KEY_STORE requires an XksKeyId.');
  if (req.origin === 'AWS_CLOUDHSM' && req.xksKeyId !== undefined) throw new KmsError('ValidationFailed', 'XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.');
  if (req.keySpec !== 'SYMMETRIC_DEFAULT' || req.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new KmsError('UnsupportedOperation', `KMS keys in custom key stores must be symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT), not ${req.keySpec} for ${req.keyUsage}.`);
  }
  if (req.multiRegion) throw new KmsError('UnsupportedOperation', 'Multi-Region keys cannot be created in a custom key store.');
}

/**
 * The store of a new key, checked as AWS does: it exists in this Region, is of the origin's type, is
 * CONNECTED on this node; for XKS the external key exists in the proxy as an enabled AES_256 key allowing
 * ENCRYPT and DECRYPT and backs no other key of the store.
 */
export async function planCustomKeyStoreKey(
  cks: CustomKeyStoresDeps,
  region: string,
  req: CustomKeyStoreKeyRequest,
  caller: CustomKeyStoreCaller,
  early?: EarlyXksCheck,
): Promise<CustomKeyStoreKeyPlan | undefined> {
  if (early?.error !== undefined) throw early.error;
  checkCustomKeyStoreParams(req);
  const id = req.customKeyStoreId;
  if (!isCustomKeyStoreOrigin(req.origin) || id === undefined) return undefined;
  const store = CUSTOM_KEY_STORE_ID.test(id) ? await cks.store.getStore(id) : undefined;
  if (store === undefined || store.region !== region) throw new KmsError('CustomKeyStoreNotFound', `Custom key store ${id} was not found in this Region.`);
  if (store.type !== req.origin) throw new KmsError('ValidationFailed', `Origin ${req.origin} does not match custom key store ${id}, which is of type ${store.type}.`);
  if (cks.connections.state(store.id).state !== 'CONNECTED') throw new KmsError('CustomKeyStoreInvalidState', `Custom key store ${id} is not connected. Connect it (ConnectCustomKeyStore) and try again.`);
  if (req.origin === 'AWS_CLOUDHSM') return { store, xksKeyId: undefined };
  const xksKeyId = req.xksKeyId ?? '';
  const target = cks.connections.xksTarget(store.id);
  if (target === undefined) throw new KmsError('CustomKeyStoreInvalidState', `Custom key store ${id} is not connected. Connect it (ConnectCustomKeyStore) and try again.`);
  // Asked before the transaction ({@link earlyXksCheck}): the database checks run again here, not the proxy call.
  if (early === undefined) await checkExternalKey(cks, target, xksKeyId, caller);
  const taken = await cks.store.keyWithExternalId(store.id, xksKeyId);
  if (taken !== undefined) throw new KmsError('XksKeyAlreadyInUse', `The external key ${xksKeyId} is already associated with KMS key ${taken} in custom key store ${id}.`);
  return { store, xksKeyId };
}

/** The external key, in its proxy: an enabled AES_256 key allowing ENCRYPT and DECRYPT. */
async function checkExternalKey(cks: CustomKeyStoresDeps, target: XksProxyTarget, xksKeyId: string, caller: CustomKeyStoreCaller): Promise<void> {
  let meta;
  try {
    meta = await cks.xks.keyMetadata(target, xksKeyId, { awsPrincipalArn: caller.principalArn, kmsOperation: 'CreateKey', kmsRequestId: caller.requestId, kmsKeyArn: caller.keyArn });
  } catch (e) {
    const failure: XksFailure = e instanceof XksProxyError ? e.failure : 'MalformedResponse';
    throw new KmsError(CREATE_KEY_FAILURES[failure] ?? 'CustomKeyStoreInvalidState', XKS_FAILURES[failure].message);
  }
  const usable = meta.keySpec === 'AES_256' && meta.keyUsage.includes('ENCRYPT') && meta.keyUsage.includes('DECRYPT') && meta.keyStatus === 'ENABLED';
  if (!usable) {
    throw new KmsError('XksKeyInvalidConfiguration', `The external key ${xksKeyId} must be an enabled AES_256 key that allows ENCRYPT and DECRYPT; it is ${meta.keySpec} (${meta.keyStatus}) allowing ${meta.keyUsage.join(', ') || 'nothing'}.`);
  }
}

/**
 * CreateKey's check of an external key store key made in `prepare`, before the audit transaction opens,
 * so a slow proxy (up to customKeyStores.xks.timeoutMs) holds no other request's writes: the key id it
 * was asked for and the refusal, if any. The transaction's {@link planCustomKeyStoreKey} then throws that
 * refusal, or repeats only the database checks.
 */
export interface EarlyXksCheck {
  readonly keyId: string;
  readonly customKeyStoreId: string | undefined;
  readonly xksKeyId: string | undefined;
  readonly error: KmsError | undefined;
}

export async function earlyXksCheck(cks: CustomKeyStoresDeps, region: string, req: CustomKeyStoreKeyRequest, caller: CustomKeyStoreCaller & { readonly keyId: string }): Promise<EarlyXksCheck> {
  const asked = { keyId: caller.keyId, customKeyStoreId: req.customKeyStoreId, xksKeyId: req.xksKeyId };
  try {
    await planCustomKeyStoreKey(cks, region, req, caller);
    return { ...asked, error: undefined };
  } catch (e) {
    if (e instanceof KmsError) return { ...asked, error: e };
    throw e;
  }
}

/** CreateKey's exception per proxy failure (the XKS spec's "KMS considerations"); the rest are CustomKeyStoreInvalidState. */
const CREATE_KEY_FAILURES: Partial<Record<XksFailure, ErrorCode>> = {
  KeyNotFoundException: 'XksKeyNotFound',
  InvalidStateException: 'XksKeyInvalidConfiguration',
  InvalidKeyUsageException: 'XksKeyInvalidConfiguration',
  AccessDeniedException: 'InvalidKeyState',
};

/**
 * Generates the HSM key of a new key in a CloudHSM key store, labelled with the Arca key id; AWS answers a
 * failure of the cluster as CloudHsmClusterInvalidConfiguration, a store gone meanwhile as InvalidState.
 */
export async function generateHsmKey(cks: CustomKeyStoresDeps, store: CustomKeyStoreRecord, keyId: string): Promise<void> {
  const session = cks.connections.hsmSession(store.id);
  if (session === undefined) throw new KmsError('CustomKeyStoreInvalidState', `Custom key store ${store.id} is not connected. Connect it (ConnectCustomKeyStore) and try again.`);
  try {
    await session.generateKey(keyId);
  } catch {
    throw new KmsError('CloudHsmClusterInvalidConfiguration', `The AWS CloudHSM cluster ${store.hsm?.clusterId ?? ''} of custom key store ${store.id} could not generate the key material.`);
  }
}

/** Undoes {@link generateHsmKey} when the key could not be written (best effort: the request fails anyway). */
export async function discardHsmKey(cks: CustomKeyStoresDeps, store: CustomKeyStoreRecord, keyId: string): Promise<void> {
  await cks.connections.hsmSession(store.id)?.destroyKey(keyId).catch(() => false);
}

/** AWS's KeyMetadata members of a key in a custom key store: CustomKeyStoreId, CloudHsmClusterId or XksKeyConfiguration. */
export function customKeyStoreMembers(store: CustomKeyStoreRecord | undefined, externalKeyId: string | undefined) {
  if (store === undefined) return {};
  return {
    CustomKeyStoreId: store.id,
    ...(store.hsm !== undefined && { CloudHsmClusterId: store.hsm.clusterId }),
    ...(store.type === 'EXTERNAL_KEY_STORE' && externalKeyId !== undefined && { XksKeyConfiguration: { Id: externalKeyId } }),
  };
}

/**
 * The custom key store members of a stored key (DescribeKey); empty for a key of another origin. As in AWS,
 * an Enabled or Disabled key whose store is not connected (here: on this node) reads `Unavailable`.
 */
export async function customKeyStoreMetadata(cks: Pick<CustomKeyStoresDeps, 'store' | 'connections'>, key: KeyRecord) {
  if (!isCustomKeyStoreOrigin(key.origin)) return {};
  const link = await cks.store.keyLink(key.id);
  if (link === undefined) return {};
  const members = customKeyStoreMembers(await cks.store.getStore(link.storeId), link.externalKeyId);
  const unavailable = (key.state === 'Enabled' || key.state === 'Disabled') && cks.connections.state(link.storeId).state !== 'CONNECTED';
  return unavailable ? { ...members, KeyState: 'Unavailable' as const, Enabled: false } : members;
}

/** What the deletion job needs of custom key stores: the links, and the HSM session of a store (in its Region). */
export interface CustomKeyStoreJobDeps {
  readonly store: Pick<CustomKeyStoreStore, 'keyLink' | 'getStore' | 'unlinkKey'>;
  hsmSession(store: CustomKeyStoreRecord): HsmKeyStoreConnection | undefined;
}

/**
 * The end of a destroyed key's life in its custom key store: the HSM key (label = key id) is destroyed in
 * the token when the store is connected on this node; otherwise it stays there as orphaned key material,
 * as AWS leaves it (logged, and reported in the audit event, for the operator to delete). The link is
 * removed either way, so the store can be deleted and the external key used again. Never throws: the key
 * is already destroyed in Arca.
 */
export async function destroyCustomKeyStoreKey(cks: CustomKeyStoreJobDeps, keyId: string, logger: Logger): Promise<{ customKeyStoreId?: string; hsmKeyDestroyed?: boolean }> {
  try {
    const link = await cks.store.keyLink(keyId);
    if (link === undefined) return {};
    const store = await cks.store.getStore(link.storeId);
    let hsmKeyDestroyed: boolean | undefined;
    if (store?.type === 'AWS_CLOUDHSM') {
      const session = cks.hsmSession(store);
      hsmKeyDestroyed = session === undefined ? false : await session.destroyKey(link.externalKeyId).catch(() => false);
      if (!hsmKeyDestroyed) logger.warn('the HSM key of a destroyed key was not destroyed (orphaned key material: delete it in the HSM)', { keyId, customKeyStoreId: link.storeId, label: link.externalKeyId });
    }
    await cks.store.unlinkKey(keyId);
    return { customKeyStoreId: link.storeId, ...(hsmKeyDestroyed !== undefined && { hsmKeyDestroyed }) };
  } catch (e) {
    logger.error('unlinking a destroyed key from its custom key store failed', { keyId, error: String(e) });
    return {};
  }
}
