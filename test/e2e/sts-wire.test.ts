/**
 * The STS Query protocol on the wire (issue 17, ADR 0018): hand-made requests to `POST /` that no SDK
 * would send, answered in AWS's XML shapes and recorded like every other request; the AWS JSON protocol
 * on the same path is unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { adminCall } from '../helpers/principals.js';
import { rawRequest } from '../helpers/raw-request.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

describe('STS Query protocol on POST /', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  /** A form request signed for `service` with the admin's key (unsigned when `service` is null). */
  async function sts(body: string, service: string | null = 'sts'): Promise<{ status: number; text: string; type: string | null }> {
    const url = new URL('/', s.endpoint);
    let headers: Record<string, string> = { host: url.host, 'content-type': FORM };
    if (service !== null) {
      const signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, sha256: Sha256 });
      headers = (await signer.sign(new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers, body }))).headers;
    }
    const { host: _host, ...sendable } = headers;
    const res = await fetch(url, { method: 'POST', headers: sendable, body });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  }

  const code = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

  it('GetCallerIdentity answers AWS\'s XML, with the request id in ResponseMetadata', async () => {
    const r = await sts('Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/xml');
    assert.match(r.text, /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n  <GetCallerIdentityResult><UserId>AIDA[A-Z2-7]{17}<\/UserId><Account>111122223333<\/Account><Arn>arn:aws:iam::111122223333:user\/admin<\/Arn><\/GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>[^<]+<\/RequestId>/);
  });

  it('errors are ErrorResponse XML with AWS\'s codes, statuses and fault types, and are audited', async () => {
    const unsigned = await sts('Action=GetCallerIdentity&Version=2011-06-15', null);
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.text, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n  <Error>\n    <Type>Sender<\/Type>\n    <Code>MissingAuthenticationToken<\/Code>/);
    assert.equal(code((await sts('Action=GetFederationToken&Version=2011-06-15')).text), 'InvalidAction');
    assert.equal(code((await sts('Action=GetCallerIdentity&Version=2010-01-01')).text), 'InvalidAction');
    const invalid = await sts('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=ok&DurationSeconds=60');
    assert.equal(invalid.status, 400);
    assert.equal(code(invalid.text), 'ValidationError');
    assert.match(invalid.text, /1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    assert.equal(code((await sts('Action=AssumeRole&Version=2011-06-15&RoleArn=a&RoleArn=b')).text), 'InvalidParameterValue');
    const denied = await sts('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fnone&RoleSessionName=ok');
    assert.deepEqual([denied.status, code(denied.text)], [403, 'AccessDenied']);
    const events = (await adminCall(s, 'ListAuditEvents', { Limit: 10 }))['Events'] as { eventName: string; eventSource: string; errorCode?: string }[];
    assert.ok(events.some((e) => e.eventName === 'AssumeRole' && e.eventSource === 'sts' && e.errorCode === 'AccessDenied'));
  });

  it('a form body signed for kms stays with the JSON protocol, and a JSON request is untouched', async () => {
    const kmsSigned = await sts('Action=GetCallerIdentity&Version=2011-06-15', 'kms');
    assert.match(kmsSigned.type ?? '', /application\/x-amz-json-1\.1/);
    const json = await rawRequest(s, { target: 'TrentService.ListKeys', body: '{}' });
    assert.equal(json.status, 200);
    assert.ok(Array.isArray(json.json()['Keys']));
  });

  it('a signature scoped to sts is refused by the KMS JSON protocol, and one scoped to kms by STS', async () => {
    const url = new URL('/', s.endpoint);
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, sha256: Sha256 });
    const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' };
    const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers, body: '{}' }));
    const { host: _host, ...sendable } = signed.headers;
    const res = await fetch(url, { method: 'POST', headers: sendable, body: '{}' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /InvalidSignatureException.*scoped to correct service: 'kms'/);
  });
  it('AssumeRoleWithWebIdentity is answered unsigned, in AWS\'s ErrorResponse shape (no OIDC provider configured here)', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kuZXhhbXBsZSJ9.c2ln';
    const r = await sts(`Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=ok&WebIdentityToken=${token}`, null);
    assert.equal(r.status, 400);
    assert.equal(r.type, 'text/xml');
    assert.match(r.text, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n  <Error>\n    <Type>Sender<\/Type>\n    <Code>InvalidIdentityToken<\/Code>\n    <Message>No OpenIDConnect provider found in your account for the token's issuer\.<\/Message>\n  <\/Error>\n  <RequestId>[^<]+<\/RequestId>\n<\/ErrorResponse>\n$/);
    const missing = await sts('Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=ok', null);
    assert.deepEqual([missing.status, code(missing.text)], [400, 'ValidationError']);
  });
});
