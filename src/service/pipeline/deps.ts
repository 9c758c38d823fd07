import type { Realm } from '../../core/arn.js';
import type { AuditChains } from '../../core/audit-chains.js';
import type { KeyImporter, KeyPrimitives, KeyProvisioner, SealControl, SealedKeyring } from '../../core/custody.js';
import type { PolicyChecks } from '../../core/authorization.js';
import type { KeyImportStore } from '../../core/key-import.js';
import type { ClusterNodes } from '../../core/cluster.js';
import type { BreakerControl } from '../../core/detection.js';
import type { BackupMaker } from '../../core/backup-file.js';
import type { DestructionLedgerMaker } from '../../core/destruction-ledger.js';
import type { WebIdentityVerifier } from '../../core/web-identity.js';
import type { ApprovalStore } from '../../core/approval.js';
import type { DevMode } from '../../core/dev-state.js';
import type { RegionSet } from '../../core/regions.js';
import type { XksExposure } from '../../core/xks.js';
import type { CustomKeyStoresDeps } from '../../core/custom-key-stores.js';
import type { AuditTrail, Clock, GrantStore, Keyring, KeyLifecycleStore, KeyStore, Logger, PrincipalStore } from '../../core/ports.js';

/**
 * The ports and settings operations and their helpers receive: types only, so that any service module can
 * name what it needs (`Pick<ServiceDeps, …>`) without importing the operation framework (operation.ts),
 * which would close an import cycle. Nothing here may import operation.ts, pipeline.ts or an operation.
 */

/**
 * Every port an operation may use; each operation declares the ones it does (`uses`) and receives only
 * those. Every member is required, even one that may be `undefined` (`sealing`): an optional member would
 * let `Pick<ServiceDeps, 'sealing'>` accept an object without it, so an undeclared port would type-check.
 */
export interface ServiceDeps {
  readonly keys: KeyStore;
  /** The key hierarchy: wraps stored secrets, and its material cache is dropped on disable, deletion and destruction. */
  readonly hierarchy: SealedKeyring;
  /** Key handle → primitive (custody): the only way an operation works with a customer key's material. */
  readonly primitives: KeyPrimitives;
  /** New key versions (CreateKey, rotation), generated and wrapped in custody: the service gets wrapped rows. */
  readonly provisioner: KeyProvisioner;
  /** Bring your own key in custody: wrapping keys for import tokens, and imported material unwrapped and rewrapped there. */
  readonly importer: KeyImporter;
  readonly clock: Clock;
  readonly realm: Realm;
  readonly logger: Logger;
  readonly principals: PrincipalStore;
  readonly grants: GrantStore;
  readonly keyring: Keyring;
  readonly policyChecks: PolicyChecks;
  readonly lifecycle: LifecycleDeps;
  /** Bring-your-own-key storage (import tokens, imported material records). */
  readonly imports: KeyImportStore;
  /** The seal life cycle, when the root of trust is a sealed one (`arca server`); `undefined` in dev mode. */
  readonly sealing: SealControl | undefined;
  /** The audit trail's read side (queries, proofs, last usage). */
  readonly auditTrail: AuditTrail;
  /** Every audit chain of the store (one per node on PostgreSQL), each readable as a trail. */
  readonly auditChains: AuditChains;
  /** This node's name and the cluster's node registry (one node on SQLite). */
  readonly cluster: { readonly node: string; readonly nodes: ClusterNodes };
  /** This node's circuit breakers (anomaly detection): listed and released by administrators. */
  readonly breakers: BreakerControl;
  /** Makes a backup of the whole store under the live root (ArcaService.CreateBackup; ADR 0016). */
  readonly backups: BackupMaker;
  /** Exports the signed destruction ledger a restore applies (ArcaService.ExportDestructionLedger; issue 15). */
  readonly ledger: DestructionLedgerMaker;
  /** Verifies web identity tokens (AssumeRoleWithWebIdentity); `undefined` when no OIDC provider is configured. */
  readonly webIdentity: WebIdentityVerifier | undefined;
  /** Approval rules and the requests they hold (issue 18). */
  readonly approvals: ApprovalStore;
  /** Dev mode's reset (`arca dev`, issue 20); `undefined` in `arca server`, where ArcaService.Reset refuses. */
  readonly dev: DevMode | undefined;
  /** The regions this deployment serves (ADR 0022): ReplicateKey's target must be one. */
  readonly regions: RegionSet;
  /** The keys exposed to AWS KMS through the XKS proxy API (docs/xks-proxy.md); `undefined` when `xksProxy` is off. */
  readonly xks: XksExposure | undefined;
  /** Custom key stores (ADR 0024): their persistence, the XKS client and this node's connections. */
  readonly customKeyStores: CustomKeyStoresDeps;
}

/** The points where a lifecycle job can be paused by an insecure test-only hook (crash-safety tests). */
export type JobPoint = 'rotation:before-commit' | 'rotation:after-commit' | 'deletion:before-commit' | 'deletion:after-commit';

/** What the lifecycle operations and jobs need beyond the common service ports. */
export interface LifecycleDeps {
  readonly store: KeyLifecycleStore;
  /** The shortest RotationPeriodInDays accepted: AWS's 90 unless configured lower (down to 1). */
  readonly minRotationPeriodDays: number;
  /** INSECURE, tests only: awaited at each {@link JobPoint} of a scheduled job. */
  readonly insecureTestPause?: ((point: JobPoint) => Promise<void>) | undefined;
}
