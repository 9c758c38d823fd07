/**
 * The "echo" baseline (issue 8): a bare Fastify route that parses the same JSON request an Encrypt
 * carries and answers a JSON body of the same size. It measures HTTP + JSON on this machine, nothing else.
 *
 *   node dist/bench/baselines/echo.js <port>
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (_req, body, done) => {
  try {
    done(null, JSON.parse(String(body)));
  } catch (e) {
    done(e as Error, undefined);
  }
});
app.post('/', async (req, reply) => {
  const input = req.body as { Plaintext?: string };
  reply.header('content-type', 'application/x-amz-json-1.1');
  return { CiphertextBlob: input.Plaintext ?? '', KeyId: 'echo', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
});
const port = Number(process.argv[2] ?? '0');
const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
