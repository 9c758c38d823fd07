/**
 * Model-based test of the key lifecycle (fast-check `fc.commands`): random sequences of CreateKey,
 * EnableKey, DisableKey, EnableKeyRotation, RotateKeyOnDemand, ScheduleKeyDeletion, CancelKeyDeletion,
 * Encrypt and time jumps (which run the scheduler) are applied both to the real server (in process,
 * through the protocol, with an injected clock) and to a small reference model; every answer (success or
 * AWS error name) and, after every step, every key's state, version and rotation status must agree.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { readBlobHeader } from '../../src/crypto/ciphertext-blob.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { callAt, DAY, TestClock } from '../helpers/lifecycle.js';

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Destroyed';

interface ModelKey {
  readonly id: string;
  state: State;
  version: number;
  onDemand: number;
  rotation?: { period: number; next: number } | undefined;
  deletionDate?: number | undefined;
}

interface Model {
  keys: ModelKey[];
  now: number;
}

interface Real {
  call(name: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> & { __type?: string } }>;
  advance(ms: number): Promise<void>;
}

const OK = 'ok';

/** The AWS answer the model expects for an operation that needs the key in a given set of states. */
function gate(key: ModelKey, allowed: readonly State[], disabledError = 'KMSInvalidStateException'): string {
  if (key.state === 'Destroyed') return 'NotFoundException';
  if (allowed.includes(key.state)) return OK;
  return key.state === 'Disabled' ? disabledError : 'KMSInvalidStateException';
}

type Action =
  | { kind: 'EnableKey' | 'DisableKey' | 'RotateKeyOnDemand' | 'CancelKeyDeletion' | 'Encrypt'; pick: number }
  | { kind: 'EnableKeyRotation'; pick: number; period: number }
  | { kind: 'ScheduleKeyDeletion'; pick: number; window: number };

/** Applies an action to the model; returns the expected answer. */
function expectOf(m: Model, key: ModelKey, a: Action): string {
  switch (a.kind) {
    case 'EnableKey':
    case 'DisableKey': {
      const r = gate(key, ['Enabled', 'Disabled']);
      if (r === OK) key.state = a.kind === 'EnableKey' ? 'Enabled' : 'Disabled';
      return r;
    }
    case 'Encrypt':
      return gate(key, ['Enabled'], 'DisabledException');
    case 'RotateKeyOnDemand': {
      const r = gate(key, ['Enabled'], 'DisabledException');
      if (r !== OK) return r;
      if (key.onDemand >= 10) return 'LimitExceededException';
      key.onDemand++;
      key.version++;
      return OK;
    }
    case 'EnableKeyRotation': {
      const r = gate(key, ['Enabled'], 'DisabledException');
      if (r !== OK) return r;
      const anchor = key.rotation ? key.rotation.next - key.rotation.period * DAY : m.now;
      key.rotation = { period: a.period, next: anchor + a.period * DAY };
      return OK;
    }
    case 'ScheduleKeyDeletion': {
      const r = gate(key, ['Enabled', 'Disabled']);
      if (r === OK) {
        key.state = 'PendingDeletion';
        key.deletionDate = m.now + a.window * DAY;
      }
      return r;
    }
    case 'CancelKeyDeletion': {
      if (key.state === 'Destroyed') return 'NotFoundException';
      if (key.state !== 'PendingDeletion') return 'KMSInvalidStateException';
      key.state = 'Disabled';
      key.deletionDate = undefined;
      return OK;
    }
  }
}

function body(key: ModelKey, a: Action): Record<string, unknown> {
  switch (a.kind) {
    case 'EnableKeyRotation':
      return { KeyId: key.id, RotationPeriodInDays: a.period };
    case 'ScheduleKeyDeletion':
      return { KeyId: key.id, PendingWindowInDays: a.window };
    case 'Encrypt':
      return { KeyId: key.id, Plaintext: Buffer.from('model').toString('base64') };
    default:
      return { KeyId: key.id };
  }
}

/** Compares every key of the model with what the server says about it. */
async function checkAll(m: Model, r: Real): Promise<void> {
  for (const key of m.keys) {
    const d = await r.call('DescribeKey', { KeyId: key.id });
    if (key.state === 'Destroyed') {
      assert.equal(d.json.__type, 'NotFoundException', `${key.id} should be destroyed`);
      continue;
    }
    const meta = d.json['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeyState'], key.state, `state of ${key.id}`);
    assert.equal(meta['DeletionDate'], key.deletionDate === undefined ? undefined : key.deletionDate / 1000);
    const rot = await r.call('GetKeyRotationStatus', { KeyId: key.id });
    assert.equal(rot.json['KeyRotationEnabled'], key.rotation !== undefined);
    assert.equal(rot.json['NextRotationDate'], key.rotation === undefined ? undefined : key.rotation.next / 1000);
    const list = await r.call('ListKeyRotations', { KeyId: key.id, Limit: 1000 });
    assert.equal((list.json['Rotations'] as unknown[]).length, key.version - 1, `rotations of ${key.id}`);
  }
}

class CreateKeyCommand implements fc.AsyncCommand<Model, Real, true> {
  async check(m: Readonly<Model>) {
    return m.keys.length < 4;
  }
  async run(m: Model, r: Real) {
    const res = await r.call('CreateKey', {});
    assert.equal(res.status, 200);
    m.keys.push({ id: String((res.json['KeyMetadata'] as { KeyId: string }).KeyId), state: 'Enabled', version: 1, onDemand: 0 });
    await checkAll(m, r);
  }
  toString() {
    return 'CreateKey';
  }
}

class KeyCommand implements fc.AsyncCommand<Model, Real, true> {
  constructor(readonly action: Action) {}
  async check(m: Readonly<Model>) {
    return m.keys.length > 0;
  }
  async run(m: Model, r: Real) {
    const key = m.keys[this.action.pick % m.keys.length];
    assert.ok(key);
    const expected = expectOf(m, key, this.action);
    const res = await r.call(this.action.kind, body(key, this.action));
    assert.equal(res.status === 200 ? OK : res.json.__type, expected, `${this.toString()} on a key the model has as ${key.state}: ${JSON.stringify(res.json)}`);
    if (this.action.kind === 'Encrypt' && expected === OK) {
      assert.equal(readBlobHeader(Buffer.from(String(res.json['CiphertextBlob']), 'base64'))?.version, key.version, 'Encrypt uses the newest version');
    }
    await checkAll(m, r);
  }
  toString() {
    return JSON.stringify(this.action);
  }
}

class TimeJumpCommand implements fc.AsyncCommand<Model, Real, true> {
  constructor(readonly ms: number) {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    m.now += this.ms;
    for (const key of m.keys) {
      if (key.state === 'Enabled' && key.rotation !== undefined && key.rotation.next <= m.now) {
        key.version++;
        key.rotation.next = m.now + key.rotation.period * DAY;
      }
    }
    for (const key of m.keys) {
      if (key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= m.now) {
        key.state = 'Destroyed';
        key.rotation = undefined;
      }
    }
    await r.advance(this.ms);
    await checkAll(m, r);
  }
  toString() {
    return `TimeJump(${this.ms / DAY} days)`;
  }
}

describe('key lifecycle against a reference model', () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1));
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess({ clock, minRotationPeriodDays: 1, schedulerIntervalMs: 0 });
  });
  after(() => s.close());

  it('every answer and every key state agree with the model', async () => {
    const pick = fc.nat(7);
    const commands = [
      fc.constant(new CreateKeyCommand()),
      fc.constantFrom('EnableKey', 'DisableKey', 'RotateKeyOnDemand', 'CancelKeyDeletion', 'Encrypt').chain((kind) => pick.map((p) => new KeyCommand({ kind, pick: p }))),
      fc.record({ pick, period: fc.integer({ min: 1, max: 4 }) }).map((x) => new KeyCommand({ kind: 'EnableKeyRotation', ...x })),
      fc.record({ pick, window: fc.integer({ min: 7, max: 10 }) }).map((x) => new KeyCommand({ kind: 'ScheduleKeyDeletion', ...x })),
      fc.integer({ min: 0, max: 12 * 24 }).map((h) => new TimeJumpCommand(h * 3_600_000)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const real: Real = {
          call: (name, b) => callAt(s, clock, name, b),
          advance: async (ms) => {
            clock.advance(ms);
            await s.app.scheduler.runNow();
          },
        };
        await fc.asyncModelRun(() => ({ model: { keys: [], now: clock.now().getTime() }, real }), cmds);
      }),
      { numRuns: 30 },
    );
  });
});
