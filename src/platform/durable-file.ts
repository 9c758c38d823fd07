import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Files that survive a power cut (ADR 0010). A file Arca needs after a crash is never written in place:
 * its bytes go to a temporary file in the same directory, which is fsynced, then renamed (or linked, for
 * `exclusive`) over the target, and the directory is fsynced so that the new name is durable too. A
 * crash at any point leaves either no file or the whole file, never an empty or partial one.
 *
 * The file system calls are injectable (`ops`) so that tests can check the order of the steps.
 */
export interface DurableFileOps {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, data: Buffer): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, created: string): void;
  rmSync(path: string, options: { force: boolean }): void;
  mkdirSync(path: string, options: { mode: number }): void;
  existsSync(path: string): boolean;
}

const NODE_OPS: DurableFileOps = {
  openSync: (p, f, m) => openSync(p, f, m),
  writeSync: (fd, b) => writeSync(fd, b),
  fsyncSync,
  closeSync,
  renameSync,
  linkSync,
  rmSync: (p, o) => rmSync(p, o),
  mkdirSync: (p, o) => void mkdirSync(p, o),
  existsSync,
};

export interface DurableWriteOptions {
  /** File mode of the new file (default 0600: everything Arca writes is private). */
  readonly mode?: number;
  /** Fail with EEXIST, leaving the existing file untouched, if the target exists (like flag `wx`). */
  readonly exclusive?: boolean;
}

let counter = 0;
function tempPathFor(path: string): string {
  counter = (counter + 1) % 1_000_000;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** Writes `data` to `path` atomically and durably (see the module comment). */
export function writeFileDurably(path: string, data: string | Buffer, options: DurableWriteOptions = {}, ops: DurableFileOps = NODE_OPS): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = tempPathFor(path);
  const fd = ops.openSync(temp, 'wx', options.mode ?? 0o600);
  try {
    try {
      for (let done = 0; done < bytes.length; ) done += ops.writeSync(fd, bytes.subarray(done));
      ops.fsyncSync(fd);
    } finally {
      ops.closeSync(fd);
    }
    // link() refuses an existing target, so an exclusive write can never replace a file (a root key).
    if (options.exclusive === true) ops.linkSync(temp, path);
    else ops.renameSync(temp, path);
  } finally {
    ops.rmSync(temp, { force: true }); // after a link (or a failure) the temporary name is dropped
    if (typeof data === 'string') bytes.fill(0); // our copy may hold a secret (a dev root key)
  }
  fsyncDirectory(dirname(path), ops);
}

/** Makes a directory's entries (new, renamed or removed files) durable. */
export function fsyncDirectory(dir: string, ops: DurableFileOps = NODE_OPS): void {
  const fd = ops.openSync(dir, 'r');
  try {
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/**
 * Creates `dir` and any missing parents (mode `mode`), fsyncing the parent of each directory created so
 * that the files put in it later are reachable after a crash.
 */
export function mkdirDurably(dir: string, mode = 0o700, ops: DurableFileOps = NODE_OPS): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !ops.existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      ops.mkdirSync(d, { mode });
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EEXIST') throw e; // made meanwhile by another process
    }
    fsyncDirectory(dirname(d), ops);
  }
}

/** {@link writeFileDurably} off the event loop (for writers on a request path, like an audit sink cursor). */
export async function writeFileDurablyAsync(path: string, data: string, mode = 0o600): Promise<void> {
  const temp = tempPathFor(path);
  const file = await open(temp, 'wx', mode);
  try {
    try {
      await file.writeFile(data, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  await fsyncDirectoryAsync(dirname(path));
}

/**
 * {@link writeFileDurably} for a file too large to hold in memory (a backup): `fill` appends the bytes
 * in order through `write`; when it resolves, the temporary file is fsynced and linked (`exclusive`) or
 * renamed into place and the directory fsynced. When `fill` throws, the temporary file is removed and
 * nothing appears at `path`.
 */
export async function writeFileDurablyStreaming<T>(path: string, options: DurableWriteOptions, fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<T>): Promise<T> {
  const temp = tempPathFor(path);
  const file = await open(temp, 'wx', options.mode ?? 0o600);
  let result: T;
  try {
    try {
      result = await fill(async (bytes) => {
        for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done)).bytesWritten;
      });
      await file.sync();
    } finally {
      await file.close();
    }
    if (options.exclusive === true) await link(temp, path);
    else await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  await fsyncDirectoryAsync(dirname(path));
  return result;
}

/** A temporary name beside `path` (same directory, so the same file system), for scratch files too. */
export function scratchPathFor(path: string, suffix: string): string {
  return `${tempPathFor(path).slice(0, -'.tmp'.length)}.${suffix}`;
}

/** {@link fsyncDirectory} off the event loop. */
export async function fsyncDirectoryAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
