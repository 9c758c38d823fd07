import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUSY } from '../../core/unit-of-work.js';
import { putProbe, withAuditStore, type AuditStoreFactory } from './audit-fixture.js';

/** The UnitOfWork port's contract: one serialized transaction per unit, savepoints, runNow/tryNow. */
export function unitOfWorkContract(factory: AuditStoreFactory): void {
  describe('UnitOfWork', () => {
    it('run commits the work, answers its result and calls afterCommit with it once committed', withAuditStore(factory, async ({ uow, rows }) => {
      let seen: number | undefined;
      const out = await uow.run(
        async () => {
          await putProbe(rows, 5);
          assert.equal(uow.running, true);
          return 7;
        },
        async (r) => {
          seen = r;
          assert.equal((await rows.latestTreeHeadSize()), 5, 'committed before afterCommit');
        },
      );
      assert.equal(out, 7);
      assert.equal(seen, 7);
      assert.equal(uow.running, false);
      assert.equal((await rows.latestTreeHeadSize()), 5);
    }));

    it('run rolls everything back when the work rejects, without afterCommit', withAuditStore(factory, async ({ uow, rows }) => {
      let after = false;
      await assert.rejects(
        uow.run(
          async () => {
            await putProbe(rows, 3);
            await new Promise((r) => setImmediate(r));
            throw new Error('boom');
          },
          async () => void (after = true),
        ),
        /boom/,
      );
      assert.equal(after, false);
      assert.equal((await rows.latestTreeHeadSize()), 0);
      assert.equal(uow.running, false);
    }));

    it('savepoint: keep:false undoes only its changes and the unit goes on; a throw undoes them and propagates', withAuditStore(factory, async ({ uow, rows }) => {
      await uow.run(async (tx) => {
        const r = await tx.savepoint(async () => {
          await putProbe(rows, 9);
          return { keep: false, v: 1 };
        });
        assert.equal(r.v, 1);
        assert.equal((await rows.latestTreeHeadSize()), 0, 'undone inside the unit');
        await tx.savepoint(async () => {
          await putProbe(rows, 4);
          return { keep: true };
        });
        await putProbe(rows, 2);
      });
      assert.equal((await rows.latestTreeHeadSize()), 4);
      await assert.rejects(
        uow.run(async (tx) => {
          await tx.savepoint(async () => {
            await putProbe(rows, 8);
            throw new Error('inner');
          });
        }),
        /inner/,
      );
      assert.equal((await rows.latestTreeHeadSize()), 4);
    }));

    it('runs units one after another: the next starts only after the previous afterCommit ended', withAuditStore(factory, async ({ uow, rows }) => {
      const log: string[] = [];
      const unit = (n: number) =>
        uow.run(
          async () => {
            log.push(`start ${n}`);
            await new Promise((r) => setTimeout(r, 2));
            await putProbe(rows, n);
            log.push(`end ${n}`);
          },
          async () => {
            await new Promise((r) => setTimeout(r, 2));
            log.push(`after ${n}`);
          },
        );
      await Promise.all([unit(1), unit(2)]);
      assert.deepEqual(log, ['start 1', 'end 1', 'after 1', 'start 2', 'end 2', 'after 2']);
    }));

    it('runNow commits at once and rolls back on a throw; it refuses, and tryNow answers BUSY, while a unit runs', withAuditStore(factory, async ({ uow, rows }) => {
      assert.equal(await uow.runNow(async () => (await putProbe(rows, 1), 'ok')), 'ok');
      await assert.rejects(uow.runNow(async () => (await putProbe(rows, 6), assert.fail('undo'))));
      assert.equal((await rows.latestTreeHeadSize()), 1);
      assert.equal(await uow.tryNow(async () => (await putProbe(rows, 2), 'done')), 'done');
      let release = (): void => undefined;
      let started = (): void => undefined;
      const began = new Promise<void>((r) => (started = r));
      // Waits until the unit's work runs: a pooled store first checks out a connection and sends BEGIN.
      const running = uow.run(() => new Promise<void>((r) => ((release = r), started())));
      await began;
      await assert.rejects(uow.runNow(() => putProbe(rows, 3)), /running/);
      assert.equal(await uow.tryNow(() => putProbe(rows, 3)), BUSY);
      release();
      await running;
      assert.equal((await rows.latestTreeHeadSize()), 2, 'nothing written by the refused calls');
    }));

    it('sync resolves (durability of what committed)', withAuditStore(factory, async ({ uow, rows }) => {
      await uow.runNow(() => putProbe(rows, 1));
      await uow.sync();
      uow.syncNow();
      assert.equal(typeof uow.syncsAfterCommit, 'boolean');
      assert.equal(uow.available, true);
    }));
  });
}
