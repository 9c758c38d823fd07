import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, startDevServer, type DevServer } from '../helpers/server.js';

interface Case {
  name: string;
  target?: string;
  body: string | Buffer;
  sign?: boolean;
  method?: string;
  path?: string;
  status: number;
  type: string;
}

let nested = '"x"';
for (let i = 0; i < 200; i++) nested = `{"a":${nested}}`;

const CASES: Case[] = [
  { name: 'body that is not JSON', target: 'TrentService.ListKeys', body: '{"Limit": ', status: 400, type: 'SerializationException' },
  { name: 'binary garbage body', target: 'TrentService.ListKeys', body: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]), status: 400, type: 'SerializationException' },
  { name: 'JSON array instead of an object', target: 'TrentService.ListKeys', body: '[1,2,3]', status: 400, type: 'SerializationException' },
  { name: 'JSON string instead of an object', target: 'TrentService.ListKeys', body: '"hello"', status: 400, type: 'SerializationException' },
  { name: 'number where a string is expected', target: 'TrentService.Encrypt', body: '{"KeyId": 42, "Plaintext": "aGk="}', status: 400, type: 'SerializationException' },
  { name: 'object where a blob is expected', target: 'TrentService.Encrypt', body: '{"KeyId": "alias/x", "Plaintext": {"a": 1}}', status: 400, type: 'SerializationException' },
  { name: 'string where a number is expected', target: 'TrentService.ListKeys', body: '{"Limit": "10"}', status: 400, type: 'SerializationException' },
  { name: 'invalid base64 plaintext', target: 'TrentService.Encrypt', body: '{"KeyId": "alias/x", "Plaintext": "!!not base64!!"}', status: 400, type: 'SerializationException' },
  { name: 'base64 with bad padding', target: 'TrentService.Decrypt', body: '{"CiphertextBlob": "AAA"}', status: 400, type: 'SerializationException' },
  { name: 'deeply nested JSON', target: 'TrentService.Encrypt', body: `{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":${nested}}`, status: 400, type: 'SerializationException' },
  { name: '__proto__ member in the encryption context', target: 'TrentService.Encrypt', body: '{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"__proto__":{"polluted":"yes"}}}', status: 400, type: 'SerializationException' },
  { name: 'constructor member at the top level', target: 'TrentService.ListKeys', body: '{"constructor":{"prototype":{"x":1}}}', status: 400, type: 'SerializationException' },
  { name: 'lone surrogate in the encryption context', target: 'TrentService.Encrypt', body: '{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"k":"\\ud800"}}', status: 400, type: 'ValidationException' },
  { name: 'oversize body (70 KiB)', target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: 'alias/x', Plaintext: 'A'.repeat(70 * 1024) }), status: 413, type: 'RequestEntityTooLargeException' },
  { name: 'missing required member', target: 'TrentService.Encrypt', body: '{"Plaintext": "aGk="}', status: 400, type: 'ValidationException' },
  { name: 'empty body for an operation with required members', target: 'TrentService.DescribeKey', body: '', status: 400, type: 'ValidationException' },
  { name: 'plaintext over 4096 bytes', target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: 'alias/x', Plaintext: Buffer.alloc(4097).toString('base64') }), status: 400, type: 'ValidationException' },
  { name: 'Limit out of range', target: 'TrentService.ListKeys', body: '{"Limit": 0}', status: 400, type: 'ValidationException' },
  { name: 'unknown operation', target: 'TrentService.LaunchRockets', body: '{}', status: 400, type: 'UnknownOperationException' },
  { name: 'unknown service prefix', target: 'DynamoDB_20120810.ListTables', body: '{}', status: 400, type: 'UnknownOperationException' },
  { name: 'no X-Amz-Target header', body: '{}', status: 400, type: 'InvalidSignatureException' },
  { name: 'no signature at all', target: 'TrentService.ListKeys', body: '{}', sign: false, status: 400, type: 'MissingAuthenticationTokenException' },
  { name: 'GET on the operation endpoint', target: 'TrentService.ListKeys', body: '', method: 'GET', status: 400, type: 'UnknownOperationException' },
  { name: 'POST to another path', target: 'TrentService.ListKeys', body: '{}', path: '/admin', status: 400, type: 'UnknownOperationException' },
  { name: 'unknown key id that is not a UUID', target: 'TrentService.DescribeKey', body: '{"KeyId": "../../etc/passwd"}', status: 400, type: 'NotFoundException' },
  { name: 'ciphertext that is not a blob Arca made', target: 'TrentService.Decrypt', body: JSON.stringify({ CiphertextBlob: Buffer.from('not a ciphertext blob at all, just text').toString('base64') }), status: 400, type: 'InvalidCiphertextException' },
];

describe('malformed requests get AWS-shaped 4xx answers and the server keeps serving', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.type}`, async () => {
      const res = await rawRequest(server, c);
      assert.equal(res.status, c.status, res.body);
      const body = res.json();
      assert.equal(body.__type, c.type, res.body);
      // AWS sends a failed decryption with no message at all.
      if (c.type === 'InvalidCiphertextException') assert.ok(!('message' in body), res.body);
      else assert.equal(typeof body.message, 'string');
      assert.equal(res.headers.get('x-amzn-errortype'), c.type);
      assert.ok(res.headers.get('x-amzn-requestid'), 'every answer has a request id');
      assert.doesNotMatch(res.body, /\n\s+at /, 'no stack trace in the answer');
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype is untouched');
      // Still serving: a valid request right after succeeds.
      const ok = await rawRequest(server, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes": 8}' });
      assert.equal(ok.status, 200, ok.body);
      assert.equal(Buffer.from(String(ok.json()['Plaintext']), 'base64').length, 8);
    });
  }

  it('health endpoints answer', async () => {
    assert.equal((await fetch(new URL('/healthz', server.endpoint))).status, 200);
    assert.equal((await fetch(new URL('/readyz', server.endpoint))).status, 200);
  });
});
