import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mkdirDurably, writeFileDurably, writeFileDurablyAsync, type DurableFileOps } from './durable-file.js';

/** Real file system calls, each recorded as `call path` (fds mapped back to the path they were opened with). */
function recordingOps(): { ops: DurableFileOps; calls: string[] } {
  const calls: string[] = [];
  const paths = new Map<number, string>();
  const ops: DurableFileOps = {
    openSync(p, f, m) {
      const fd = fs.openSync(p, f, m);
      paths.set(fd, p);
      calls.push(`open ${p}`);
      return fd;
    },
    writeSync: (fd, b) => (calls.push(`write ${paths.get(fd)}`), fs.writeSync(fd, b)),
    fsyncSync: (fd) => (calls.push(`fsync ${paths.get(fd)}`), fs.fsyncSync(fd)),
    closeSync: (fd) => (calls.push(`close ${paths.get(fd)}`), fs.closeSync(fd)),
    renameSync: (a, b) => (calls.push(`rename ${a} ${b}`), fs.renameSync(a, b)),
    linkSync: (a, b) => (calls.push(`link ${a} ${b}`), fs.linkSync(a, b)),
    rmSync: (p, o) => (calls.push(`rm ${p}`), fs.rmSync(p, o)),
    mkdirSync: (p, o) => (calls.push(`mkdir ${p}`), void fs.mkdirSync(p, o)),
    existsSync: (p) => fs.existsSync(p),
  };
  return { ops, calls };
}

function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arca-durable-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('durable files', () => {
  it('writes a temporary file, fsyncs it, renames it into place, then fsyncs the directory', () =>
    withDir((dir) => {
      const { ops, calls } = recordingOps();
      const target = join(dir, 'credentials.env');
      writeFileDurably(target, 'hello', {}, ops);
      assert.equal(readFileSync(target, 'utf8'), 'hello');
      assert.equal(statSync(target).mode & 0o777, 0o600);
      const temp = calls[0]?.slice('open '.length) ?? '';
      assert.notEqual(temp, target);
      assert.deepEqual(calls, [`open ${temp}`, `write ${temp}`, `fsync ${temp}`, `close ${temp}`, `rename ${temp} ${target}`, `rm ${temp}`, `open ${dir}`, `fsync ${dir}`, `close ${dir}`]);
      assert.deepEqual(readdirSync(dir), ['credentials.env'], 'no temporary file is left behind');
    }));

  it('replaces an existing file whole', () =>
    withDir((dir) => {
      const target = join(dir, 'f');
      writeFileSync(target, 'old contents, longer than the new');
      writeFileDurably(target, 'new');
      assert.equal(readFileSync(target, 'utf8'), 'new');
    }));

  it('an exclusive write links the fsynced file into place and never replaces an existing one', () =>
    withDir((dir) => {
      const target = join(dir, 'root.key');
      const { ops, calls } = recordingOps();
      writeFileDurably(target, 'first', { exclusive: true }, ops);
      assert.ok(calls.some((c) => c.startsWith('link ')));
      assert.ok(calls.indexOf(calls.find((c) => c.startsWith('fsync '))!) < calls.findIndex((c) => c.startsWith('link ')), 'fsync before link');
      assert.throws(() => writeFileDurably(target, 'second', { exclusive: true }), { code: 'EEXIST' });
      assert.equal(readFileSync(target, 'utf8'), 'first');
      assert.deepEqual(readdirSync(dir), ['root.key'], 'the failed write left no temporary file');
    }));

  it('creates missing parent directories and fsyncs the parent of each', () =>
    withDir((dir) => {
      const { ops, calls } = recordingOps();
      const deep = join(dir, 'a', 'b');
      mkdirDurably(deep, 0o700, ops);
      assert.ok(existsSync(deep));
      assert.equal(statSync(deep).mode & 0o777, 0o700);
      assert.deepEqual(
        calls.filter((c) => c.startsWith('mkdir') || c.startsWith('fsync')),
        [`mkdir ${join(dir, 'a')}`, `fsync ${dir}`, `mkdir ${deep}`, `fsync ${join(dir, 'a')}`],
      );
      const again = recordingOps();
      mkdirDurably(deep, 0o700, again.ops);
      assert.deepEqual(again.calls, [], 'an existing directory is left alone');
    }));

  it('the asynchronous write leaves the whole file and no temporary file', () =>
    withDir(async (dir) => {
      const target = join(dir, 'cursor');
      await writeFileDurablyAsync(target, '41');
      await writeFileDurablyAsync(target, '42');
      assert.equal(readFileSync(target, 'utf8'), '42');
      assert.deepEqual(readdirSync(dir), ['cursor']);
    }));
});
