import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { AuditEvent } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { defineOperation } from './operation.js';
import { Pipeline, type PipelineDeps, type PipelineRequest } from './pipeline.js';
import { operationRegistry } from './registry.js';
import { secretBlob } from './schemas.js';

const caller: Principal = { id: 'AIDATEST', type: 'user', name: 'tester', arn: 'arn:aws:iam::111122223333:user/tester', account: '111122223333' };

/** What a test operation saw happen, in order. */
type Step = 'authorize' | 'check' | 'execute';

/**
 * A keyless test operation whose `check` and `execute` record themselves; `execute` always throws.
 * Every secret its input parses into is kept in `secrets`.
 */
function probe(steps: Step[], checkFails: boolean, secrets: SecretBytes[] = []) {
  return defineOperation({
    service: 'ArcaService',
    name: 'Probe',
    description: 'A test operation.',
    effect: 'read',
    uses: [],
    input: z.object({ DryRun: z.boolean().optional(), Secret: secretBlob(1, 64).transform((x) => (secrets.push(x), x)).optional() }),
    keys: {},
    dryRun: (i) => i.DryRun === true,
    async check() {
      steps.push('check');
      if (checkFails) throw new KmsError('ValidationFailed', 'the check refused the request');
    },
    async execute() {
      steps.push('execute');
      throw new Error('execute must not run');
    },
    auditRequest: () => ({}),
  });
}

/**
 * A pipeline over test doubles: the members a keyless operation reaches are stubbed (authentication
 * accepts everyone, authorization records itself and answers `decision`), any other member throws.
 */
function pipelineFor(op: ReturnType<typeof probe>, steps: Step[], decision: 'Allow' | 'Deny' = 'Allow') {
  const events: AuditEvent[] = [];
  const stubs: Partial<PipelineDeps> = {
    operations: operationRegistry([op]),
    realm: { partition: 'aws', region: 'us-east-1', account: '111122223333' },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    authenticator: { authenticate: async () => caller },
    authorizer: {
      authorize: async () => {
        steps.push('authorize');
        return decision;
      },
    },
    audit: {
      append: async (e) => void events.push(e),
      runAudited: async () => assert.fail('a read operation runs outside the audit transaction'),
    },
  };
  const deps = new Proxy(stubs, {
    get: (target, name) => {
      if (name === 'hierarchy') return { isOpen: true }; // unsealed: the only thing the pipeline asks of it here
      if (name === 'storage') return { noteFailure: () => false }; // reporting execute's internal error
      if (typeof name === 'string' && !(name in target) && name !== 'then' && name !== 'limiter' && name !== 'reads' && name !== 'observer' && name !== 'quotas' && name !== 'detector' && name !== 'approvalGate') throw new Error(`the test pipeline has no ${name}`);
      return Reflect.get(target, name);
    },
  });
  // The proxy throws on any member this test does not stub, so the cast hides no missing dependency silently.
  return { pipeline: new Pipeline(deps as PipelineDeps), events };
}

function request(body: unknown): PipelineRequest {
  return {
    target: 'ArcaService.Probe',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    requestId: 'req-1',
    auth: { method: 'POST', path: '/', query: '', headers: [], body: Buffer.alloc(0) },
    // Inputs are typed: the transport's decoding is not under test here.
    parseBody: (schema) => schema.parse(body),
  };
}

describe('DryRun in the pipeline', () => {
  it('a DryRun request is authorized and checked, then answered DryRunOperation without reaching execute', async () => {
    const steps: Step[] = [];
    const { pipeline, events } = pipelineFor(probe(steps, false), steps);
    const result = await pipeline.handle(request({ DryRun: true }));
    assert.equal(result.ok, false);
    assert.equal(result.ok ? undefined : result.error.code, 'DryRunOperation');
    assert.deepEqual(steps, ['authorize', 'check']);
    assert.equal(events.length, 1, 'the DryRun request is audited like any other');
  });

  it('check runs before DryRun answers: a request it refuses gets its error, not DryRunOperation', async () => {
    const steps: Step[] = [];
    const { pipeline } = pipelineFor(probe(steps, true), steps);
    const result = await pipeline.handle(request({ DryRun: true }));
    assert.equal(result.ok ? undefined : result.error.code, 'ValidationFailed');
    assert.deepEqual(steps, ['authorize', 'check']);
  });

  it('a DryRun request the caller may not make is AccessDenied, before check', async () => {
    const steps: Step[] = [];
    const { pipeline } = pipelineFor(probe(steps, false), steps, 'Deny');
    const result = await pipeline.handle(request({ DryRun: true }));
    assert.equal(result.ok ? undefined : result.error.code, 'AccessDenied');
    assert.deepEqual(steps, ['authorize']);
  });

  it('without DryRun, check runs and then execute', async () => {
    const steps: Step[] = [];
    const { pipeline } = pipelineFor(probe(steps, false), steps);
    await pipeline.handle(request({}));
    assert.deepEqual(steps, ['authorize', 'check', 'execute']);
  });
});

describe('input secrets and the pipeline', () => {
  for (const [name, body, checkFails] of [
    ['a DryRun', { DryRun: true }, false],
    ['a request check refuses', {}, true],
    ['an executed request', {}, false],
  ] as const) {
    it(`zeroes the input's secrets once ${name} ends (operations never dispose their input)`, async () => {
      const steps: Step[] = [];
      const secrets: SecretBytes[] = [];
      const { pipeline } = pipelineFor(probe(steps, checkFails, secrets), steps);
      await pipeline.handle(request({ ...body, Secret: SecretBytes.copyOf(Buffer.from('plaintext')) }));
      assert.equal(secrets.length, 1);
      assert.ok(secrets[0]?.disposed);
    });
  }
});
