import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceDeps } from './deps.js';
import { describeOperation } from './describe-operation.js';
import { pickPorts, type ServicePort } from './operation.js';
import { OPERATIONS } from './registry.js';

/** Every port of ServiceDeps: a Record over the union, so a port added to ServiceDeps breaks the build until listed. */
const PORTS: Record<ServicePort, true> = {
  keys: true, hierarchy: true, primitives: true, provisioner: true, importer: true, clock: true, realm: true, logger: true, principals: true, grants: true,
  keyring: true, policyChecks: true, lifecycle: true, imports: true, sealing: true, auditTrail: true, auditChains: true, cluster: true, breakers: true, backups: true, ledger: true, webIdentity: true,
  approvals: true, dev: true, regions: true, xks: true, customKeyStores: true,
};

/** A ServiceDeps whose every port is a marker naming it (the test only compares identities, nothing calls them). */
function markedDeps(): { deps: ServiceDeps; marker: (port: string) => object } {
  const markers = new Map(Object.keys(PORTS).map((port) => [port, { port }]));
  // The cast only types the markers as ports; nothing here calls them.
  return { deps: Object.fromEntries(markers) as unknown as ServiceDeps, marker: (port) => markers.get(port) ?? assert.fail(`no port ${port}`) };
}

describe('the operation registry', () => {
  it('every operation describes itself in one line under 200 characters', () => {
    const bad = OPERATIONS.filter((op) => op.description.trim() === '' || op.description.length >= 200 || /[\r\n]/.test(op.description));
    assert.deepEqual(bad.map((op) => `${op.service}.${op.name}`), []);
  });

  it('exactly the operations AWS KMS documents a DryRun parameter for declare dryRun (an undeclared one would execute a DryRun)', () => {
    const aws = [
      'CreateGrant', 'Decapsulate', 'Decrypt', 'DeriveSharedSecret', 'Encapsulate', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
      'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'RetireGrant', 'RevokeGrant', 'Sign', 'Verify', 'VerifyMac',
    ];
    assert.deepEqual(OPERATIONS.filter((op) => op.acceptsDryRun).map((op) => op.name).sort(), aws);
  });

  it('each operation declares real ports, once each, and receives exactly those (the rest is type-checked against its uses)', () => {
    const { deps, marker } = markedDeps();
    for (const op of OPERATIONS) {
      const target = `${op.service}.${op.name}`;
      assert.deepEqual(op.uses.filter((port) => !(port in PORTS)), [], `${target} declares a port ServiceDeps does not have`);
      assert.equal(new Set(op.uses).size, op.uses.length, `${target} declares a port twice`);
      const ports = pickPorts(deps, op.uses);
      assert.deepEqual(Object.keys(ports).sort(), [...op.uses].sort(), `${target} receives other ports than it declares`);
      for (const port of op.uses) assert.equal(Reflect.get(ports, port), marker(port), `${target}: ${port} is not the pipeline's ${port}`);
    }
  });

  it('every input member of every operation describes itself in one line under 200 characters', () => {
    const bad: string[] = [];
    for (const op of OPERATIONS) {
      const members = describeOperation(op).members;
      // An input that is not a zod object would list no member at all, and pass this test vacuously.
      if (members.length === 0 && !['GetSealStatus', 'Seal', 'RotateRoot', 'ListClusterNodes', 'ListAuditChains', 'ListBreakers', 'CreateBackup', 'ExportDestructionLedger', 'GetCallerIdentity', 'ListApprovalRules', 'Reset'].includes(op.name)) bad.push(`${op.name}: no members found`);
      for (const m of members) {
        const d = m.description ?? '';
        if (d.trim() === '' || d.length >= 200 || /[\r\n]/.test(d)) bad.push(`${op.name}.${m.name}: ${JSON.stringify(m.description)}`);
      }
    }
    assert.deepEqual(bad, []);
  });
});
