import { existsSync } from 'node:fs';
import { BackupRefused, type BackupRootInfo } from '../core/backup-file.js';
import { KmsError } from '../core/errors.js';
import type { RootOfTrust, SealableRoot, SealRecord, SealStore } from '../core/ports.js';
import { sha256 } from '../crypto/hash.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { InsecureDevFileRootOfTrust } from '../root/insecure-dev-file-root.js';
import { ShamirRootOfTrust } from '../root/shamir/shamir-root.js';
import { systemClock } from './clock.js';

/** How a backup command gets the root of trust (ADR 0016): a dev root file, or a quorum of Shamir shares. */
export interface RootMaterial {
  /** The `insecure-dev-root.key` of the data directory that made (or will serve) the store. */
  readonly devRootFile?: string | undefined;
  /** Unseal shares as `arca operator init` printed them (base64 text). */
  readonly shares?: readonly string[] | undefined;
  /** The unseal key a root-of-trust recovery package rebuilt (ADR 0017); the caller disposes it. */
  readonly unsealKey?: SecretBytes | undefined;
  /**
   * Opens a PKCS#11 root as `arca server` does, from the `root:` section of its configuration
   * (`--config`, backup-hsm.ts), over the seal record given.
   */
  readonly openHsm?: ((store: SealStore) => Promise<SealableRoot>) | undefined;
}

/** An opened root for one command; `seal` zeroes it. */
export type CommandRoot = RootOfTrust & { seal(): void };

/** The header's root description: kind, non-secret fingerprint, and the Shamir seal record. */
export function rootInfoOf(seal: SealRecord | undefined, domainKey1: Buffer | undefined): BackupRootInfo {
  if (seal === undefined) return { kind: 'insecure-dev-file', fingerprint: `domain-key-1:${sha256(domainKey1 ?? Buffer.alloc(0)).subarray(0, 16).toString('hex')}` };
  const fingerprint = `share-set:${seal.shareSetId.toString('hex')}`;
  if (seal.kind === 'pkcs11') return { kind: 'pkcs11', fingerprint };
  return {
    kind: 'shamir',
    fingerprint,
    sealRecord: { shares: seal.shares, threshold: seal.threshold, shareSetId: seal.shareSetId.toString('hex'), wrappedRoot: seal.wrappedRoot.toString('base64'), initializedAt: seal.initializedAt.getTime() },
  };
}

/** The seal record a header carries (the Shamir root's), as the store holds it. */
export function sealRecordOf(info: BackupRootInfo): SealRecord | undefined {
  const r = info.sealRecord;
  return r && { kind: 'shamir', shares: r.shares, threshold: r.threshold, shareSetId: Buffer.from(r.shareSetId, 'hex'), wrappedRoot: Buffer.from(r.wrappedRoot, 'base64'), initializedAt: new Date(r.initializedAt) };
}

/**
 * Opens the root a backup names with what the operator gave: the dev root file for a dev store, a
 * quorum of shares of the same share set (or the unseal key a recovery package rebuilt) for a Shamir root,
 * the server's `root:` configuration for a PKCS#11 root. Refuses (BackupRefused) anything missing or of
 * another root.
 */
export async function openCommandRoot(info: BackupRootInfo, given: RootMaterial): Promise<CommandRoot> {
  switch (info.kind) {
    case 'insecure-dev-file': {
      if (given.devRootFile === undefined || !existsSync(given.devRootFile)) {
        throw new BackupRefused(`the store's root is an arca dev root file: give it with --dev-root FILE (${given.devRootFile ?? 'none given'} does not exist)`);
      }
      return InsecureDevFileRootOfTrust.openOrCreate(given.devRootFile);
    }
    case 'shamir':
      return openShamir(info, given);
    case 'pkcs11':
      return openHsm(given);
  }
}

/** The HSM root, opened with the server's own `root:` configuration (module, token, PIN, key label). */
async function openHsm(given: RootMaterial): Promise<CommandRoot> {
  if (given.openHsm === undefined) throw new BackupRefused('the store\'s root is a PKCS#11 key: give the server\'s configuration with --config FILE (its root: section opens the HSM: module, token, PIN, key label)');
  const record: SealRecord = { kind: 'pkcs11', shares: 0, threshold: 0, shareSetId: Buffer.alloc(0), wrappedRoot: Buffer.alloc(0), initializedAt: new Date(0) };
  const root = await given.openHsm({ getSealRecord: async () => record, putSealRecord: async () => false });
  try {
    await root.submitShare(new Uint8Array());
  } catch (e) {
    root.seal();
    throw new BackupRefused(`the HSM root does not open: ${e instanceof Error ? e.message : String(e)}`);
  }
  return root;
}

async function openShamir(info: BackupRootInfo, given: RootMaterial): Promise<CommandRoot> {
  const record = sealRecordOf(info);
  if (record === undefined) throw new BackupRefused('the Shamir root has no seal record: the store was never initialized');
  if (given.unsealKey !== undefined) return openWithUnsealKey(record, given.unsealKey);
  const shares = given.shares ?? [];
  if (shares.length < record.threshold) throw new BackupRefused(`the root is sealed with Shamir shares: give ${record.threshold} of its ${record.shares} shares (--share-file, one per custodian), ${shares.length} given`);
  const root = await ShamirRootOfTrust.open({ getSealRecord: async () => record, putSealRecord: async () => false }, systemClock);
  try {
    for (const share of shares) {
      if (!root.isSealed()) break;
      await root.submitShare(Buffer.from(share.trim(), 'base64'));
    }
  } catch (e) {
    root.seal();
    if (e instanceof KmsError) throw new BackupRefused(`the shares do not open this backup's root (share set ${record.shareSetId.toString('hex')}): ${e.message}`);
    throw e;
  }
  if (root.isSealed()) throw new BackupRefused('the shares given do not reach the threshold of this backup\'s root');
  return root;
}

/** The root opened with a recovered unseal key (a recovery package of this share set, ADR 0017). */
async function openWithUnsealKey(record: SealRecord, unsealKey: SecretBytes): Promise<CommandRoot> {
  const root = await ShamirRootOfTrust.open({ getSealRecord: async () => record, putSealRecord: async () => false }, systemClock);
  try {
    root.unsealWithKey(unsealKey);
  } catch (e) {
    if (e instanceof KmsError) throw new BackupRefused(`the recovery package does not open this backup's root (share set ${record.shareSetId.toString('hex')}): ${e.message}`);
    throw e;
  }
  return root;
}

