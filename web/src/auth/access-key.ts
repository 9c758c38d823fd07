import { ApiError, sameOrigin, type Endpoint } from '../api/client';
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
 * The form's own checks, before anything is sent. `requireMfa` is a rule of this console only:
 * GetSessionToken cannot know it (a CLI may still call it without a code), so the console refuses to
 * sign in without a device and code; the server's control is the MFA conditions in policies.
 */
export function accessKeyFormError(config: Pick<ConsoleConfig, 'requireMfa'>, form: AccessKeySignIn): ApiError | undefined {
  const serial = form.mfaSerial ?? '';
  const code = form.mfaCode ?? '';
  if (config.requireMfa && (serial === '' || code === '')) {
    return new ApiError('MfaRequired', 'This console requires multi-factor authentication: give your MFA device serial number and its current code.', 0);
  }
  if (serial !== '' && !/^\d{6}$/.test(code)) return new ApiError('ValidationError', 'The MFA code is the 6 digits your authenticator shows now.', 0);
  if (serial === '' && code !== '') return new ApiError('ValidationError', 'Give the MFA device serial number with the code.', 0);
  return undefined;
}

/**
 * Signs in with an access key: the long-term secret is used once, for STS GetSessionToken (with the MFA
 * code when given), and then forgotten; the console works with the short session's credentials.
 */
export async function signInWithAccessKey(config: ConsoleConfig, form: AccessKeySignIn, endpoint: Endpoint = sameOrigin(config.region)): Promise<Session> {
  const invalid = accessKeyFormError(config, form);
  if (invalid !== undefined) throw invalid;
  const params: Record<string, string> = { Action: 'GetSessionToken', DurationSeconds: String(config.sessionSeconds) };
  if (form.mfaSerial !== undefined && form.mfaSerial !== '') {
    params['SerialNumber'] = form.mfaSerial;
    params['TokenCode'] = form.mfaCode ?? '';
  }
  const doc = await callSts(endpoint, { accessKeyId: form.accessKeyId, secretAccessKey: form.secretAccessKey }, params);
  const credentials = sessionCredentials(doc);
  return { endpoint, credentials, principalArn: await callerArn(endpoint, credentials), expiresAt: credentials.expiration, method: 'access-key' };
}
