import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, UsageError } from './command-kit.js';
import { render } from './output.js';
import { LISTED_OPERATIONS } from './operations-list.js';
import { operationsHelp } from './operations-source.js';

/**
 * The help of `arca call`, with every operation and its description. The cli layer may not import the
 * operation registry (test/architecture/layers.ts): the list is generated from it into
 * operations-list.ts (npm run cli:operations), and a test keeps the two equal.
 */
const CALL_HELP = `
Calls any operation of the protocol and prints the answer (JSON unless --output yaml), for example:
  arca call TrentService.ListKeys '{"Limit": 10}'
  arca call ArcaService.GetSealStatus
Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (or --region);
each operation's input members are in docs/aws-compatibility.md.

Operations:
${operationsHelp(LISTED_OPERATIONS)}`;

/** `arca call`: the generic client command every other client command is a friendlier form of. */
export function callCommand(): Command {
  return new Command('call')
    .description('call any operation: arca call TrentService.ListKeys \'{"Limit": 10}\'')
    .argument('<target>', 'Service.Operation, e.g. TrentService.ListKeys')
    .argument('[json-input]', 'the operation input as JSON (default {})')
    .addHelpText('after', CALL_HELP)
    .action(
      act(async (cmd, target: string, json: string | undefined) => {
        let input: unknown = {};
        if (json !== undefined) {
          try {
            input = JSON.parse(json);
          } catch {
            throw new UsageError('the input is not valid JSON');
          }
        }
        const out = await callOperation(clientFor(cmd), target, input);
        // The answer as it came: JSON unless YAML is asked for (a table of an arbitrary answer reads badly).
        process.stdout.write(render(formatOf(cmd) === 'yaml' ? 'yaml' : 'json', out));
        return 0;
      }),
    );
}
