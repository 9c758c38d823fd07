import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { SecretText } from '../../crypto/secret-text.js';
import { isoSeconds, queryError, queryResponse } from './xml.js';

const text = (s: string) => SecretText.adopt(SecretBytes.adopt(Buffer.from(s)));

describe('STS Query output (XML)', () => {
  it('writes AWS\'s response shape: Result members, lists as member, ISO timestamps, ResponseMetadata', () => {
    const secrets: SecretText[] = [];
    const body = queryResponse(
      'AssumeRole',
      { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: text('s3cr3t'), SessionToken: text('t0k/en+='), Expiration: new Date('2026-01-02T03:04:05.678Z') }, List: ['a', 'b'], Size: 6, Missing: undefined },
      'req-1',
      secrets,
    ).toString('utf8');
    assert.equal(
      body,
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>' +
        '<SessionToken>t0k/en+=</SessionToken><Expiration>2026-01-02T03:04:05Z</Expiration></Credentials><List><member>a</member><member>b</member></List><Size>6</Size></AssumeRoleResult>\n' +
        '  <ResponseMetadata>\n    <RequestId>req-1</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n',
    );
    assert.equal(secrets.length, 2, 'both secrets are listed, to be zeroed once sent');
  });

  it('escapes text, and errors take AWS\'s ErrorResponse shape', () => {
    const secrets: SecretText[] = [];
    assert.match(queryResponse('GetCallerIdentity', { Arn: 'a<b>&"c\'' }, 'r', secrets).toString(), /<Arn>a&lt;b&gt;&amp;"c'<\/Arn>/);
    assert.equal(
      queryError('Sender', 'AccessDenied', 'User: x is not <allowed>', 'r-2'),
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n' +
        '    <Message>User: x is not &lt;allowed&gt;</Message>\n  </Error>\n  <RequestId>r-2</RequestId>\n</ErrorResponse>\n',
    );
  });

  it('timestamps are whole seconds in UTC', () => {
    assert.equal(isoSeconds(new Date('2026-06-01T12:00:00.999Z')), '2026-06-01T12:00:00Z');
  });
});
