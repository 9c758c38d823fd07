import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit.js';
import { parseRawResponse, rawExchange } from '../helpers/flood.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { TestClock } from '../helpers/lifecycle.js';
import { sqliteOf } from '../helpers/in-process.js';

const rows = (s: InProcessServer) => sqliteOf(s.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? -1;
const last = async (s: InProcessServer) => (await s.app.audit.list(1_000_000)).at(-1) as AuditEvent;

describe('HTTP-level rejections are AWS-shaped and audited (issue 12, item 10)', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess({ clock: new TestClock(), limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, unauthenticatedBurst: 20, unauthenticatedPerSecond: 1 } });
  });
  after(() => s.close());

  it('a request node cannot parse gets a 400 SerializationException and one event', async () => {
    const n = rows(s);
    const res = parseRawResponse(await rawExchange(s.endpoint, 'NOT HTTP AT ALL\r\n\r\n'));
    assert.equal(res.status, 400);
    assert.equal(res.json['__type'], 'SerializationException');
    assert.equal(res.headers.get('x-amzn-errortype'), 'SerializationException');
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.equal(rows(s), n + 1);
    assert.equal((await last(s)).errorCode, 'SerializationFailed');
    assert.equal((await last(s)).requestID, res.headers.get('x-amzn-requestid'));
  });

  it('headers over node\'s limit get a 431 RequestHeaderFieldsTooLargeException and one event', async () => {
    const n = rows(s);
    const res = parseRawResponse(await rawExchange(s.endpoint, `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.equal(res.status, 431);
    assert.equal(res.json['__type'], 'RequestHeaderFieldsTooLargeException');
    assert.equal(rows(s), n + 1);
    assert.equal((await last(s)).errorCode, 'RequestHeadersTooLarge');
  });

  it('a request that does not arrive in time gets a 408 RequestTimeoutException and one event', { timeout: 20_000 }, async () => {
    const n = rows(s);
    const partialHeaders = parseRawResponse(await rawExchange(s.endpoint, 'POST / HTTP/1.1\r\nHost: x\r\n'));
    assert.equal(partialHeaders.status, 408);
    assert.equal(partialHeaders.json['__type'], 'RequestTimeoutException');
    const partialBody = parseRawResponse(await rawExchange(s.endpoint, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":'));
    assert.equal(partialBody.status, 408);
    assert.equal(rows(s), n + 2);
    assert.equal((await last(s)).errorCode, 'RequestTimeout');
    assert.ok(!s.logs.some((l) => l.includes('unhandled error')), 'a timed-out request is not an internal error');
  });

  it('a connection that never sends a byte is closed at the header timeout, unanswered and unaudited', { timeout: 20_000 }, async () => {
    const n = rows(s);
    assert.equal(await rawExchange(s.endpoint, ''), '');
    assert.equal(rows(s), n);
  });

  it('a flood of malformed requests is limited and summarized like other unauthenticated failures', async () => {
    const n = rows(s);
    const answers: string[] = [];
    for (let i = 0; i < 60; i++) answers.push(String(parseRawResponse(await rawExchange(s.endpoint, `BAD ${i}\r\n\r\n`)).json['__type']));
    const recorded = rows(s) - n;
    assert.ok(recorded <= 20, `${recorded} events for 60 malformed requests (burst 20)`);
    assert.equal(answers.filter((a) => a === 'ThrottlingException').length, 60 - recorded);
    assert.equal(answers.filter((a) => a === 'SerializationException').length, recorded);
  });
});
