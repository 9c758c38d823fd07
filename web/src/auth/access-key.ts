import { sameOrigin, type Endpoint } from '../api/client';
import type { ConsoleConfig } from '../api/console-config';
import { callerArn, callSts, sessionCredentials } from '../api/sts';
import type { Session } from './session';

export interface AccessKeySignIn {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The MFA device's serial number (ARN) and its current code, when the caller proves one. */
  readonly mfaSerial?: string | undefined;
  readonly mfaCode?: string | undefined;
}

/**
 * Signs in with an access key: the long-term secret is used once, for STS GetSessionToken (with the MFA
 * code when given), and then forgotten; the console works with the short session's credentials.
 */
export async function signInWithAccessKey(config: ConsoleConfig, form: AccessKeySignIn, endpoint: Endpoint = sameOrigin(config.region)): Promise<Session> {
  const params: Record<string, string> = { Action: 'GetSessionToken', DurationSeconds: String(config.sessionSeconds) };
  if (form.mfaSerial !== undefined && form.mfaSerial !== '') {
    params['SerialNumber'] = form.mfaSerial;
    params['TokenCode'] = form.mfaCode ?? '';
  }
  const doc = await callSts(endpoint, { accessKeyId: form.accessKeyId, secretAccessKey: form.secretAccessKey }, params);
  const credentials = sessionCredentials(doc);
  return { endpoint, credentials, principalArn: await callerArn(endpoint, credentials), expiresAt: credentials.expiration, method: 'access-key' };
}
