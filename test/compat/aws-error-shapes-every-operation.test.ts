/**
 * Compatibility: AWS's validation wording for every AWS KMS operation, derived from the registry (so a new
 * operation is covered without a line here). Each `TrentService` operation is sent an empty body over
 * signed AWS JSON; one with required members must answer HTTP 400 `ValidationException` listing each
 * missing member as AWS does (`Value null at '<member>' failed to satisfy constraint: Member must not be
 * null`, counted, `; `-joined), and one without answers anything but a malformed error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { OPERATIONS } from '../../src/service/pipeline/registry.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';

/** The members an operation's schema requires (not optional), AWS-named (first letter lower-cased). */
function requiredMembers(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, member]) => !member.safeParse(undefined).success && !(member instanceof z.ZodOptional))
    .map(([name]) => name.charAt(0).toLowerCase() + name.slice(1));
}

const ONE_VIOLATION = "Value(?: null| '[^']*')? at '[a-z][\\w.]*' failed to satisfy constraint: [^;]+";
const VALIDATION_MESSAGE = new RegExp(`^(\\d+) validation errors? detected: ${ONE_VIOLATION}(?:; ${ONE_VIOLATION})*$`);

describe('AWS validation wording, every TrentService operation', () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess();
  });
  after(async () => {
    await server?.close();
  });

  for (const op of OPERATIONS.filter((o) => o.service === 'TrentService')) {
    const required = requiredMembers(op.input);
    it(`${op.name} with an empty body: ${required.length === 0 ? 'no required member' : `each of ${required.join(', ')} named as missing`}`, async () => {
      const res = await rawRequest(server, { target: `TrentService.${op.name}`, body: '{}' });
      const body = res.json();
      if (required.length === 0) {
        if (res.status === 200) return;
        assert.equal(res.status, 400, res.body);
        assert.match(String(body.__type), /^[A-Z]\w*Exception$/, res.body);
        return;
      }
      assert.equal(res.status, 400, res.body);
      assert.equal(body.__type, 'ValidationException', res.body);
      const message = String(body.message);
      const m = VALIDATION_MESSAGE.exec(message);
      assert.ok(m !== null, `not AWS's wording: ${message}`);
      assert.equal(Number(m[1]), message.split('; ').length, 'the count matches the violations listed');
      for (const member of required) assert.ok(message.includes(`Value null at '${member}' failed to satisfy constraint: Member must not be null`), `${member} missing from: ${message}`);
    });
  }
});
