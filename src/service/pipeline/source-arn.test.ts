import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { sourceArnOf } from './source-arn.js';

const SOURCE = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
const principal = (type: Principal['type'], name: string): Principal => ({ id: `AIDA${name}`, type, name, arn: `arn:aws:iam::111122223333:user/${name}`, account: '111122223333' });

describe('sourceArnOf (ADR 0021)', () => {
  it('keeps a service principal\'s source ARN', () => {
    assert.deepEqual(sourceArnOf(SOURCE, principal('service', 'logs.amazonaws.com')), { sourceArn: SOURCE });
    assert.deepEqual(sourceArnOf(undefined, principal('service', 'logs.amazonaws.com')), {});
  });

  it('refuses a source ARN from any other caller', () => {
    for (const caller of [principal('user', 'logs.amazonaws.com'), principal('role', 'r'), principal('service', 'ci-runner')]) {
      assert.throws(() => sourceArnOf(SOURCE, caller), (e: unknown) => e instanceof KmsError && e.code === 'AccessDenied');
    }
    assert.deepEqual(sourceArnOf(undefined, principal('user', 'bob')), {});
  });

  it('refuses a value that is no ARN', () => {
    for (const v of ['log-group:app', 'arn:', `arn:${'x'.repeat(2045)}`, 'arn:aws:logs with space']) {
      assert.throws(() => sourceArnOf(v, principal('service', 'logs.amazonaws.com')), (e: unknown) => e instanceof KmsError && e.code === 'ValidationFailed', v);
    }
  });
});
