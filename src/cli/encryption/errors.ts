import { KMSServiceException } from '@aws-sdk/client-kms';
import { ArcaCallError } from '../client.js';

/** A refusal of `arca encrypt/decrypt` itself (a context mismatch, an unreadable input), in the CLI's one-line shape. */
export class EncryptionCliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string | undefined,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * The Encryption SDK's own failures, which it throws as plain `Error`s, named in the CLI's words: the
 * pattern of its message and the code and explanation printed before it.
 */
const SDK_FAILURES: readonly { readonly pattern: RegExp; readonly code: string; readonly explain: string }[] = [
  { pattern: /unencryptedDataKey has not been set/, code: 'NoAcceptableDataKey', explain: 'no data key of the message was wrapped by a key this decrypt accepts (--key, or your account\'s keys)' },
  { pattern: /unable to authenticate data|signature|verify|Invalid tag|truncat|malformed|Malformed|Unsupported version|Unknown algorithm/i, code: 'InvalidCiphertext', explain: 'the message is damaged, truncated or was tampered with' },
];

/**
 * The one line printed for a failed encrypt or decrypt: `arca: <code>: <message> (request id <id>)` for an
 * answer from Arca (through the AWS SDK or not), `arca: <code>: <message>` for the CLI's own refusals and
 * the Encryption SDK's (a tampered or truncated message). A message's lines are joined, so it stays one line.
 */
export function errorLine(e: unknown): string {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  const withId = (code: string, message: string, id: string | undefined) => `arca: ${code}: ${oneLine(message)}${id !== undefined && id !== '' ? ` (request id ${id})` : ''}\n`;
  if (e instanceof KMSServiceException) return withId(e.name, e.message, e.$metadata.requestId);
  if (e instanceof EncryptionCliError) return withId(e.code, e.message, e.requestId);
  if (e instanceof ArcaCallError) return withId(e.type, e.message, undefined);
  if (e instanceof Error) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno !== undefined) return withId(errno, e.message, undefined);
    const known = SDK_FAILURES.find((f) => f.pattern.test(e.message));
    return known !== undefined ? withId(known.code, `${known.explain} (${e.message})`, undefined) : withId('EncryptionSdkError', e.message, undefined);
  }
  return withId('Error', String(e), undefined);
}
