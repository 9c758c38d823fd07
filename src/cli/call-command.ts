import { parseArgs } from 'node:util';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';

export const CALL_USAGE = `arca call <Service.Operation> [json-input] [--endpoint URL]

Calls any operation of the protocol and prints the JSON answer, for example:
  arca call TrentService.ListKeys '{"Limit": 10}'
Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION; the endpoint
from --endpoint, then ARCA_ENDPOINT, then http://127.0.0.1:8420.
`;

/** `arca call`: the generic client command every other client command is a friendlier form of. */
export async function runCall(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { endpoint: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
  });
  const [target, json] = positionals;
  if (values.help || target === undefined) {
    process.stdout.write(CALL_USAGE);
    return values.help ? 0 : 2;
  }
  let input: unknown = {};
  if (json !== undefined) {
    try {
      input = JSON.parse(json);
    } catch {
      process.stderr.write('arca call: the input is not valid JSON\n');
      return 2;
    }
  }
  try {
    const out = await callOperation(clientConfigFrom(process.env, values.endpoint), target, input);
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } catch (e) {
    return reportCallError(e);
  }
}
