import { aliasStoreContract } from './alias-store.contract.js';
import { approvalStoreContract } from './approval-store.contract.js';
import { customKeyStoreStoreContract } from './custom-key-store-store.contract.js';
import type { AuditStoreFactory } from './audit-fixture.js';
import { auditRowsContract } from './audit-rows.contract.js';
import { auditTrailContract, type AuditTrailFactory } from './audit-trail.contract.js';
import type { StoreFactory } from './fixture.js';
import { grantStoreContract } from './grant-store.contract.js';
import { keyImportStoreContract } from './key-import-store.contract.js';
import { keyLifecycleStoreContract } from './key-lifecycle-store.contract.js';
import { keyStoreContract } from './key-store.contract.js';
import { mfaDeviceRewrapContract, mfaDeviceStoreContract } from './mfa-device-store.contract.js';
import { principalStoreContract } from './principal-store.contract.js';
import { roleSessionStoreContract } from './role-session-store.contract.js';
import { rewrapStoreContract } from './rewrap-store.contract.js';
import { sealStoreContract } from './seal-store.contract.js';
import { unitOfWorkContract } from './unit-of-work.contract.js';

export type { StoreFactory, StoreFixture } from './fixture.js';
export type { AuditStoreFactory, AuditStoreFixture } from './audit-fixture.js';
export type { AuditTrailFactory, AuditTrailFixture, AuditTrailOptions, TrailWriter } from './audit-trail.contract.js';

/** Registers every port's contract suite against the adapters `factory` opens (one fresh store per test). */
export function storeContracts(factory: StoreFactory): void {
  keyStoreContract(factory);
  aliasStoreContract(factory);
  keyLifecycleStoreContract(factory);
  principalStoreContract(factory);
  roleSessionStoreContract(factory);
  mfaDeviceStoreContract(factory);
  grantStoreContract(factory);
  keyImportStoreContract(factory);
  sealStoreContract(factory);
  rewrapStoreContract(factory);
  mfaDeviceRewrapContract(factory);
  approvalStoreContract(factory);
  customKeyStoreStoreContract(factory);
}

/** Registers the UnitOfWork and AuditRows suites against the adapters `factory` opens (one fresh store per test). */
export function auditStoreContracts(factory: AuditStoreFactory): void {
  unitOfWorkContract(factory);
  auditRowsContract(factory);
}

/** Registers the AuditTrail suite: events written through the audit writer `factory` opens, read back through the store's trail. */
export function auditTrailContracts(factory: AuditTrailFactory): void {
  auditTrailContract(factory);
}
