import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import type { ServiceDeps } from './deps.js';
import { defineOperation, operationAction } from './operation.js';
import { secretBlob } from './schemas.js';

/** A test operation whose input schema records every secret it creates. */
function operationCapturing(secrets: SecretBytes[], refThrows: boolean) {
  return defineOperation({
    service: 'ArcaService',
    name: 'TestSecrets',
    description: 'A test operation.',
    effect: 'read',
    uses: [],
    input: z.object({
      Plaintext: secretBlob(1, 64).transform((s) => (secrets.push(s), s)),
      Nested: z.array(z.object({ Secret: secretBlob(1, 64).transform((s) => (secrets.push(s), s)) })).optional(),
    }),
    keys: {
      key: {
        required: false,
        ref: () => {
          if (refThrows) throw new KmsError('InvalidCiphertext', 'bad blob');
          return undefined;
        },
        access: 'use',
        allowAlias: false,
      },
    },
    async execute() {
      return {};
    },
    auditRequest: () => ({}),
  });
}

/** No ports: the test operation declares none, and reading any would throw (the cast hides nothing). */
const noPorts = new Proxy({}, { get: (_t, name) => assert.fail(`the test operation read the port ${String(name)}`) }) as ServiceDeps;

/** Reads a fresh typed input (the transport's decoding is not under test here). */
const input = <T>(schema: z.ZodType<T>): T => schema.parse({ Plaintext: SecretBytes.copyOf(Buffer.from('secret one')), Nested: [{ Secret: SecretBytes.copyOf(Buffer.from('secret two')) }] });

describe('bound calls and input secrets', () => {
  it('dispose() zeroes every secret of the parsed input, nested ones included', () => {
    const secrets: SecretBytes[] = [];
    const call = operationCapturing(secrets, false).connect(noPorts).bind(input);
    assert.equal(secrets.length, 2);
    assert.ok(secrets.every((s) => !s.disposed));
    call.dispose();
    assert.ok(secrets.every((s) => s.disposed));
  });

  it('a key reference that fails after parsing still zeroes the input secrets', () => {
    const secrets: SecretBytes[] = [];
    assert.throws(() => operationCapturing(secrets, true).connect(noPorts).bind(input), (e: unknown) => e instanceof KmsError && e.code === 'InvalidCiphertext');
    assert.equal(secrets.length, 2);
    assert.ok(secrets.every((s) => s.disposed));
  });
});

describe('derived IAM action', () => {
  it('is kms:<Name> for AWS KMS operations and arca:<Name> for Arca’s own', () => {
    assert.equal(operationAction('TrentService', 'Encrypt'), 'kms:Encrypt');
    assert.equal(operationAction('ArcaService', 'CreatePrincipal'), 'arca:CreatePrincipal');
    assert.equal(operationCapturing([], false).action, 'arca:TestSecrets');
  });
});

describe('ports an operation receives', () => {
  it('check and execute get the declared ports and nothing else, even read by name at run time', async () => {
    const seen: Record<string, unknown>[] = [];
    const op = defineOperation({
      service: 'ArcaService',
      name: 'TestPorts',
      description: 'A test operation.',
      effect: 'read',
      uses: ['clock', 'realm'] as const,
      input: z.object({}),
      keys: {},
      async check(_input, _ctx, deps) {
        seen.push({ clock: deps.clock, keys: Reflect.get(deps, 'keys') });
      },
      async execute(_input, _ctx, deps) {
        seen.push({ realm: deps.realm, keys: Reflect.get(deps, 'keys'), principals: Reflect.get(deps, 'principals') });
        return {};
      },
      auditRequest: () => ({}),
    });
    const clock = { now: () => new Date(0) };
    const realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
    // Only the members the assertions compare; the cast hides nothing the operation may read.
    const deps = { clock, realm, keys: { undeclared: true }, principals: { undeclared: true } } as unknown as ServiceDeps;
    const call = op.connect(deps).bind((schema) => schema.parse({}));
    const ctx = { requestId: 'r', principal: { id: 'AIDATEST', type: 'user' as const, name: 't', arn: 'arn:aws:iam::111122223333:user/t', account: '111122223333' }, keys: {} };
    await call.check(ctx);
    await call.execute(ctx);
    assert.deepEqual(op.uses, ['clock', 'realm']);
    assert.deepEqual(seen, [{ clock, keys: undefined }, { realm, keys: undefined, principals: undefined }]);
  });
});
