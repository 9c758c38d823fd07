import { assertNever } from './errors.js';
import type { KeyState, Tag } from './key.js';

/**
 * KMIP managed objects as Arca keys (ADR 0027). A KMIP object is an ordinary key; the facts KMIP adds
 * (exportability, its lifecycle, its dates, a revocation reason) are reserved `arca:` tags on the key,
 * visible through ListResourceTags and written only by the ArcaService managed-key operations.
 */

/** The reserved tag prefix (compared case-insensitively, like AWS's `aws:`). */
export const RESERVED_TAG_PREFIX = 'arca:';

/** The reserved tags of a managed key. */
export const MANAGED_TAGS = {
  exportable: 'arca:Exportable',
  lifecycle: 'arca:Lifecycle',
  activationDate: 'arca:ActivationDate',
  deactivationDate: 'arca:DeactivationDate',
  compromiseDate: 'arca:CompromiseDate',
  revocationReason: 'arca:RevocationReason',
} as const;

/** Whether a tag key is reserved for Arca (`arca:` in any case). */
export function isReservedTagKey(tagKey: string): boolean {
  return tagKey.toLowerCase().startsWith(RESERVED_TAG_PREFIX);
}

/** What `arca:Lifecycle` may hold: the KMIP states a key that is not destroyed can be in. */
export const LIFECYCLE_TAG_VALUES = ['PreActive', 'Active', 'Deactivated', 'Compromised'] as const;
export type LifecycleTagValue = (typeof LIFECYCLE_TAG_VALUES)[number];

/** The KMIP object state of a key (KMIP 1.4 §3.22 State, without Destroyed's wait: a destroyed key is gone). */
export const KMIP_LIFECYCLES = [...LIFECYCLE_TAG_VALUES, 'Destroyed', 'DestroyedCompromised'] as const;
export type KmipLifecycle = (typeof KMIP_LIFECYCLES)[number];

/** KMIP's revocation reasons (KMIP 1.4 §9.1.3.2.19), as RevokeKey takes them. */
export const REVOCATION_REASONS = ['Unspecified', 'KeyCompromise', 'CACompromise', 'AffiliationChanged', 'Superseded', 'CessationOfOperation', 'PrivilegeWithdrawn'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

function lifecycleTagValue(value: string | undefined): LifecycleTagValue | undefined {
  return LIFECYCLE_TAG_VALUES.find((v) => v === value);
}

/**
 * The KMIP lifecycle of a key, from its key state and its `arca:Lifecycle` tag (`undefined`: untagged, a
 * key made through the AWS API). The key state wins where the two disagree (someone called EnableKey or
 * ScheduleKeyDeletion through the AWS API): PendingDeletion → Destroyed (DestroyedCompromised if the tag
 * says Compromised); Enabled → Active; Disabled → the tag if it names an inactive state (PreActive,
 * Deactivated, Compromised), else Deactivated; PendingImport → PreActive; Unavailable and Creating → as Disabled.
 */
export function kmipLifecycle(state: KeyState, tag: string | undefined): KmipLifecycle {
  const tagged = lifecycleTagValue(tag);
  switch (state) {
    case 'PendingDeletion':
      return tagged === 'Compromised' ? 'DestroyedCompromised' : 'Destroyed';
    case 'Enabled':
      return 'Active';
    case 'PendingImport':
      return 'PreActive';
    case 'Disabled':
    case 'Unavailable':
    case 'Creating':
      return tagged === undefined || tagged === 'Active' ? 'Deactivated' : tagged;
    default:
      return assertNever(state);
  }
}

/** The value of tag `key` among `tags` (exact key). */
export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

/** Whether the tags mark the key exportable: `arca:Exportable` = `true`, set only when the key was made. */
export function isExportable(tags: readonly Tag[]): boolean {
  return tagValue(tags, MANAGED_TAGS.exportable) === 'true';
}

/** A date as the reserved date tags hold it: ISO-8601 UTC with milliseconds. */
export function dateTag(at: Date): string {
  return at.toISOString();
}

/** A reserved date tag read back (`undefined` when absent or not a date). */
export function parseDateTag(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A revocation's outcome: the new `arca:Lifecycle`. KeyCompromise and CACompromise compromise the key; a compromised key stays so. */
export function lifecycleAfterRevocation(current: KmipLifecycle, reason: RevocationReason): LifecycleTagValue {
  if (current === 'Compromised' || reason === 'KeyCompromise' || reason === 'CACompromise') return 'Compromised';
  return 'Deactivated';
}

/** The ArcaService actions on a managed key, which a key policy's `kms:*` does not cover. */
export const MANAGED_KEY_ACTIONS = ['arca:ActivateKey', 'arca:RevokeKey', 'arca:ExportKeyMaterial', 'arca:DescribeManagedKey'] as const;

/**
 * The default key policy of a key made by CreateManagedKey: AWS's default (the account root gets `kms:*`,
 * delegating to identity policies) with the managed-key actions delegated the same way, so that identity
 * policies alone decide who may activate, revoke, export and describe it (ADR 0027).
 */
export function defaultManagedKeyPolicy(account: string, partition = 'aws'): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-managed-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: ['kms:*', ...MANAGED_KEY_ACTIONS],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
