import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Pipeline, PipelineRequest, PipelineResult } from '../service/pipeline.js';
import { createHttpServer } from './http-server.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('createHttpServer', () => {
  it('zeroes the request body (which may carry base64 plaintext) once the request is answered', async () => {
    const seen: Buffer[] = [];
    const pipeline = {
      handle: async (req: PipelineRequest): Promise<PipelineResult> => {
        seen.push(req.auth.body as Buffer);
        return { ok: true, output: { Echo: (req.parseBody() as { Plaintext: string }).Plaintext }, requestId: req.requestId };
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
});
