import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { Pipeline, PipelineRequest, PipelineResult } from '../service/pipeline/pipeline.js';
import { createHttpServer, type ConnectionLimits } from './http-server.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('createHttpServer', () => {
  it('zeroes the request body (which may carry base64 plaintext) once the request is answered', async () => {
    const seen: Buffer[] = [];
    const pipeline = {
      handle: async (req: PipelineRequest): Promise<PipelineResult> => {
        seen.push(req.auth.body as Buffer);
        return { ok: true, output: { Echo: req.parseBody(z.object({ Plaintext: z.string() })).Plaintext }, requestId: req.requestId };
      },
    } as unknown as Pipeline;
    const server = createHttpServer({ pipeline, logger: silent });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const plaintext = Buffer.from('a secret worth zeroing').toString('base64');
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { 'x-amz-target': 'TrentService.Encrypt', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ Plaintext: plaintext }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { Echo: plaintext }, 'the pipeline read the body before it was zeroed');
      assert.equal(seen.length, 1);
      assert.ok(seen[0]?.every((b) => b === 0), 'the body buffer is all zeros');
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  /** A server with these limits, and a way to open raw connections to it. */
  async function limited(limits: Partial<ConnectionLimits>): Promise<{ open(): Promise<Socket>; close(): Promise<void> }> {
    const server = createHttpServer({ pipeline: {} as unknown as Pipeline, logger: silent, limits });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    return {
      open: () =>
        new Promise((ok) => {
          const s = connect(port, '127.0.0.1', () => ok(s));
          s.on('error', () => undefined);
        }),
      async close() {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      },
    };
  }
  const closed = (s: Socket): Promise<unknown> => new Promise((done) => (s.destroyed ? done(undefined) : s.once('close', done)));
  /** Sends one keep-alive request and waits for its answer: the connection has been used. */
  const use = (s: Socket): Promise<unknown> =>
    new Promise((done) => {
      s.once('data', done);
      s.write('GET /healthz HTTP/1.1\r\nHost: arca\r\n\r\n');
    });

  it('holds at most maxConnectionsPerSource connections per source, destroying the next at once', { timeout: 20_000 }, async () => {
    const server = await limited({ maxConnectionsPerSource: 3 });
    try {
      const held = [await server.open(), await server.open(), await server.open()];
      await closed(await server.open()); // destroyed by the server: the test ends only if it is
      assert.ok(held.every((s) => !s.destroyed), 'the first three are held');
    } finally {
      await server.close();
    }
  });

  it('at maxConnections, closes the oldest connection that never sent a request to let a new one in; refuses it when all are in use', { timeout: 20_000 }, async () => {
    const server = await limited({ maxConnections: 3 });
    try {
      const [first, ...rest] = [await server.open(), await server.open(), await server.open()];
      assert.ok(first);
      const newcomer = await server.open();
      await closed(first); // the oldest idle connection made room
      assert.ok([...rest, newcomer].every((s) => !s.destroyed));
      for (const s of [...rest, newcomer].slice(0, 3)) await use(s);
      await closed(await server.open()); // every place is held by a connection in use: refused
      assert.ok([...rest, newcomer].every((s) => !s.destroyed), 'connections in use are never closed for a newcomer');
    } finally {
      await server.close();
    }
  });
});
