import { ApiError, signedRequest, type Credentials, type Endpoint } from './client';

/** Temporary credentials STS answered, with when they expire. */
export interface SessionCredentials extends Credentials {
  readonly sessionToken: string;
  readonly expiration: Date;
}

const text = (doc: Document, tag: string): string | undefined => doc.getElementsByTagName(tag)[0]?.textContent ?? undefined;

/**
 * One STS Query call (form-encoded `POST /`, Version 2011-06-15), signed for `sts` when credentials are
 * given (AssumeRoleWithWebIdentity is not signed: its token is the credential). Answers the XML document.
 */
export async function callSts(endpoint: Endpoint, credentials: Credentials | undefined, params: Record<string, string>): Promise<Document> {
  const body = new URLSearchParams({ ...params, Version: '2011-06-15' }).toString();
  const base = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const headers = credentials === undefined ? base : await signedRequest(endpoint, credentials, 'sts', base, body);
  let res: Response;
  try {
    res = await fetch(new URL('/', endpoint.origin), { method: 'POST', headers, body, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError('ConnectionError', `Arca cannot be reached: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  if (!res.ok) throw new ApiError(text(doc, 'Code') ?? `HTTP${res.status}`, text(doc, 'Message') ?? '', res.status, text(doc, 'RequestId'));
  return doc;
}

/** The `<Credentials>` of a GetSessionToken / AssumeRole* answer. */
export function sessionCredentials(doc: Document): SessionCredentials {
  const accessKeyId = text(doc, 'AccessKeyId');
  const secretAccessKey = text(doc, 'SecretAccessKey');
  const sessionToken = text(doc, 'SessionToken');
  const expiration = text(doc, 'Expiration');
  if (accessKeyId === undefined || secretAccessKey === undefined || sessionToken === undefined || expiration === undefined) {
    throw new ApiError('InvalidResponse', 'STS answered without credentials', 200);
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiration) };
}

/** The caller's ARN (GetCallerIdentity). */
export async function callerArn(endpoint: Endpoint, credentials: Credentials): Promise<string> {
  return text(await callSts(endpoint, credentials, { Action: 'GetCallerIdentity' }), 'Arn') ?? '';
}
