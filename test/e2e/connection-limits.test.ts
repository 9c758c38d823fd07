import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { kmsClientFrom } from '../helpers/flood.js';
import { removeDir, startDevServer } from '../helpers/server.js';

/** This process's soft limit on open files (Linux), or 1024 when it cannot be read. */
function softFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isInteger(soft) ? soft : 1024;
  } catch {
    return 1024;
  }
}

const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('connection limits (issue 12, item 8)', () => {
  it('~20k idle sockets from one source: the server holds at most its per-source limit, serves a client from another source, and closes the idle ones', { timeout: 180_000 }, async () => {
    const perSource = 64;
    const server = await startDevServer({ args: ['--limit', `maxConnectionsPerSource=${perSource}`, '--limit', 'headersTimeoutMs=1000', '--limit', 'requestTimeoutMs=2000'] });
    const sockets: Socket[] = [];
    try {
      const pid = server.process.pid ?? 0;
      const baseline = openFiles(pid);
      const url = new URL(server.endpoint);
      // The 20k, or as many as this process may open, with headroom for the test itself.
      const total = Math.min(20_000, softFileLimit() - 500);
      assert.ok(total >= 1000, `too few file descriptors for the test (${total})`);
      const closed: Promise<void>[] = [];
      for (let opened = 0; opened < total; ) {
        const batch = Math.min(500, total - opened);
        await Promise.all(
          Array.from({ length: batch }, () => {
            const socket = connect({ port: Number(url.port), host: '127.0.0.1' });
            sockets.push(socket);
            socket.on('error', () => undefined); // a reset from the server is expected
            closed.push(new Promise<void>((done) => socket.once('close', () => done())));
            return new Promise<void>((done) => {
              socket.once('connect', () => done());
              socket.once('close', () => done());
            });
          }),
        );
        opened += batch;
      }
      // A legitimate, signed client from another source address is served during the flood.
      const legit = kmsClientFrom(server, '127.0.0.2');
      const keyId = (await legit.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
      assert.ok((await legit.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('served') }))).CiphertextBlob);
      const held = openFiles(pid) - baseline;
      assert.ok(held <= perSource + 16, `the server holds ${held} more descriptors than before the flood (per-source limit ${perSource})`);
      // Every idle socket is closed by the server: at once beyond the limit, at the header timeout within it.
      await Promise.all(closed);
      legit.destroy();
    } finally {
      for (const s of sockets) s.destroy();
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});
