import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../core/errors.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { createLogger, scrubSecrets, type LogLevel } from './logger.js';
import { observeAll, requestLog } from './request-log.js';

function capture(level: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => void lines.push(...s.split('\n').filter((l) => l !== '')) } });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('createLogger (pino)', () => {
  it('writes one JSON line per call with the level name, an ISO time, the message and the fields', () => {
    const { logger, parsed } = capture('info');
    logger.info('storage: PostgreSQL', { node: 'a' });
    const [line] = parsed();
    assert.equal(line?.['level'], 'info');
    assert.equal(line?.['message'], 'storage: PostgreSQL');
    assert.equal(line?.['node'], 'a');
    assert.match(String(line?.['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drops lines below its level: debug only at debug, info not at warn', () => {
    for (const [level, expected] of [['debug', ['debug', 'info', 'warn', 'error']], ['info', ['info', 'warn', 'error']], ['warn', ['warn', 'error']], ['error', ['error']]] as const) {
      const { logger, parsed } = capture(level);
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      assert.deepEqual(parsed().map((l) => l['level']), expected, level);
    }
  });

  it('redacts known secret fields, at the top and one level down', () => {
    const { logger, lines } = capture('debug');
    logger.warn('x', { secretAccessKey: 'canary-sak-1', share: 'canary-share-1', request: { Plaintext: 'canary-pt-1', password: 'canary-pw-1' }, authorization: 'canary-auth-1' });
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0] ?? '', /canary/);
    assert.match(lines[0] ?? '', /\[redacted\]/);
  });

  it('replaces URL passwords in every string field and in the message', () => {
    const { logger, lines } = capture('info');
    logger.error('cannot reach postgres://arca:canary-pw-2@db:5432/arca', { error: 'Error: connect ECONNREFUSED postgresql://arca:canary-pw-3@10.0.0.1/arca?sslmode=require', dsn: 'host=db password=canary-pw-4 user=arca' });
    assert.doesNotMatch(lines[0] ?? '', /canary/);
    assert.match(lines[0] ?? '', /postgres:\/\/arca:\*\*\*\*@db:5432/);
    assert.equal(scrubSecrets('https://example.com/path'), 'https://example.com/path');
  });

  it('prints SecretBytes as [redacted]', () => {
    const { logger, lines } = capture('info');
    const secret = SecretBytes.copyOf(Buffer.from('canary-secret-bytes'));
    logger.info('x', { key: secret });
    assert.doesNotMatch(lines[0] ?? '', /canary/);
    secret.dispose();
  });
});

describe('requestLog', () => {
  it('logs a success at debug and a failure at warn, each with the request id, operation and outcome', () => {
    const { logger, parsed } = capture('debug');
    const log = requestLog(logger);
    log.requestStarted({ requestId: 'req-1', sourceIp: '10.0.0.1' })('Encrypt', undefined);
    log.requestStarted({ requestId: 'req-2', sourceIp: '10.0.0.2' })('Decrypt', new KmsError('InvalidCiphertext', 'invalid ciphertext'));
    const [ok, failed] = parsed();
    assert.deepEqual({ ...ok, time: undefined, durationMs: undefined }, { level: 'debug', time: undefined, message: 'request', requestId: 'req-1', operation: 'Encrypt', sourceIp: '10.0.0.1', durationMs: undefined, outcome: 'success' });
    assert.equal(failed?.['level'], 'warn');
    assert.equal(failed?.['requestId'], 'req-2');
    assert.equal(failed?.['errorCode'], 'InvalidCiphertext');
    assert.equal(failed?.['error'], 'invalid ciphertext');
    assert.equal(typeof ok?.['durationMs'], 'number');
  });

  it('at info, successes write nothing and failures still do; a throttled request only at debug', () => {
    const { logger, parsed } = capture('info');
    const log = requestLog(logger);
    log.requestStarted({ requestId: 'a', sourceIp: '::1' })('Encrypt', undefined);
    log.requestStarted({ requestId: 'b', sourceIp: '::1' })('Encrypt', new KmsError('Throttled', 'Rate exceeded'));
    log.requestStarted({ requestId: 'c', sourceIp: '::1' })('Encrypt', new KmsError('AccessDenied', 'denied'));
    assert.deepEqual(parsed().map((l) => l['requestId']), ['c']);
  });

  it('observeAll tells every observer, once each', () => {
    const seen: string[] = [];
    const observer = (name: string) => ({ requestStarted: () => (op: string) => void seen.push(`${name}:${op}`) });
    observeAll([observer('a'), undefined, observer('b')])?.requestStarted({ requestId: 'r', sourceIp: '::1' })('ListKeys', undefined);
    assert.deepEqual(seen, ['a:ListKeys', 'b:ListKeys']);
  });
});
