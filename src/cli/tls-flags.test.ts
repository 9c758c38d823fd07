import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractTlsFlags } from './main.js';

describe('the CLI TLS flags', () => {
  test('--cert, --key and --ca (spaced or with =) become the client variables, anywhere on the line', () => {
    assert.deepEqual(extractTlsFlags(['call', 'TrentService.ListKeys', '--cert', 'c.pem', '--key=k.pem', '--ca', 'ca.pem', '--endpoint', 'https://x']), {
      rest: ['call', 'TrentService.ListKeys', '--endpoint', 'https://x'],
      env: { ARCA_CLIENT_CERT: 'c.pem', ARCA_CLIENT_KEY: 'k.pem', ARCA_CA: 'ca.pem' },
    });
  });

  test("audit, alerts and access keep their own --key (a KMS key); their client key is --cert-key", () => {
    assert.deepEqual(extractTlsFlags(['audit', 'query', '--key', 'k1', '--cert', 'c.pem', '--cert-key', 'k.pem']), {
      rest: ['audit', 'query', '--key', 'k1'],
      env: { ARCA_CLIENT_CERT: 'c.pem', ARCA_CLIENT_KEY: 'k.pem' },
    });
    assert.deepEqual(extractTlsFlags(['alerts', 'list', '--key', 'k1']).rest, ['alerts', 'list', '--key', 'k1']);
    assert.deepEqual(extractTlsFlags(['access', 'request', '--key', 'alias/x', '--for', '2h']).rest, ['access', 'request', '--key', 'alias/x', '--for', '2h']);
  });
});
