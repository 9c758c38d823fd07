import { KmsError } from '../core/errors.js';

/**
 * Checks that a key policy is a JSON policy document with a Statement. Full grammar validation and
 * enforcement come with the access-control issue; until then the document is stored and returned.
 */
export function checkPolicyDocument(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new KmsError('MalformedPolicyDocument', 'The new key policy is not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('Statement' in doc)) {
    throw new KmsError('MalformedPolicyDocument', 'The new key policy must be a JSON object with a Statement.');
  }
}
