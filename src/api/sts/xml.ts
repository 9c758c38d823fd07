import { SecretText } from '../../crypto/secret-text.js';

/**
 * AWS Query protocol output (STS): an operation's output as XML elements, in AWS's shape. Timestamps are
 * ISO 8601 in UTC, lists are `<member>` elements, absent members are left out. SecretText members (the
 * secret access key, the session token) are copied as bytes into the body, never into a string, and
 * listed in `secrets` so that they are zeroed once the answer is sent.
 */

/** The XML namespace of every STS answer. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `text` escaped for element content (quotes need no escaping there, and AWS's messages keep theirs). */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c);
}

/** AWS's timestamp form: ISO 8601 UTC, whole seconds. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Appends the XML of `value` (the content of an element) to `out`. */
function writeValue(value: unknown, out: (string | Buffer)[], secrets: SecretText[]): void {
  if (value instanceof SecretText) {
    secrets.push(value);
    // A secret's text is base64 (token) or base64-like (secret key): nothing in it needs escaping.
    out.push(value.expose());
  } else if (value instanceof Date) out.push(isoSeconds(value));
  else if (Buffer.isBuffer(value)) out.push(value.toString('base64'));
  else if (Array.isArray(value)) {
    for (const v of value) {
      out.push('<member>');
      writeValue(v, out, secrets);
      out.push('</member>');
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out.push(`<${k}>`);
      writeValue(v, out, secrets);
      out.push(`</${k}>`);
    }
  } else if (typeof value === 'string') out.push(xmlEscape(value));
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
}

/** `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>`. */
export function queryResponse(action: string, output: unknown, requestId: string, secrets: SecretText[]): Buffer {
  const out: (string | Buffer)[] = [`<${action}Response xmlns="${STS_NAMESPACE}">\n  <${action}Result>`];
  writeValue(output, out, secrets);
  out.push(`</${action}Result>\n  <ResponseMetadata>\n    <RequestId>${xmlEscape(requestId)}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`);
  return Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/** AWS's error XML: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryError(type: string, code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${xmlEscape(code)}</Code>\n` +
    `    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${xmlEscape(requestId)}</RequestId>\n</ErrorResponse>\n`
  );
}
