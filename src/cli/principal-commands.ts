import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, show } from './command-kit.js';

/** `arca principal ...` and `arca access-key ...`: friendlier forms of the ArcaService principal operations. */

interface Flags {
  readonly name?: string | undefined;
  readonly type?: string | undefined;
  readonly tag?: string[] | undefined;
  readonly 'tag-key'?: string[] | undefined;
  readonly 'policy-name'?: string | undefined;
  readonly policy?: string | undefined;
  readonly 'access-key-id'?: string | undefined;
  readonly status?: string | undefined;
  readonly 'trust-policy'?: string | undefined;
  readonly 'max-session-duration'?: string | undefined;
}

interface Subcommand {
  readonly operation: string;
  readonly required: readonly (keyof Flags)[];
  input(f: Flags): Record<string, unknown>;
  /** Picks what to print from the answer, and the table columns. */
  show?(out: Record<string, unknown>): { value: unknown; columns?: readonly string[] };
}

function tags(list: readonly string[] | undefined): { TagKey: string; TagValue: string }[] {
  return (list ?? []).map((t) => {
    const i = t.indexOf('=');
    return i < 0 ? { TagKey: t, TagValue: '' } : { TagKey: t.slice(0, i), TagValue: t.slice(i + 1) };
  });
}

/** `--policy` takes inline JSON or `file://path`, like the AWS CLI. */
function policyText(value: string | undefined): string | undefined {
  return value?.startsWith('file://') ? readFileSync(value.slice(7), 'utf8') : value;
}

/** `--max-session-duration` in seconds (a non-number is passed on, for the server to refuse). */
function seconds(value: string | undefined): number | string | undefined {
  return value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value;
}

const PRINCIPAL_COLUMNS = ['PrincipalName', 'PrincipalType', 'Arn', 'CreateDate'];

const PRINCIPAL: Record<string, Subcommand> = {
  create: {
    operation: 'CreatePrincipal',
    required: ['name'],
    input: (f) => ({ PrincipalName: f.name, PrincipalType: f.type, Tags: f.tag ? tags(f.tag) : undefined, AssumeRolePolicyDocument: policyText(f['trust-policy']), MaxSessionDuration: seconds(f['max-session-duration']) }),
    show: (o) => ({ value: o['Principal'], columns: PRINCIPAL_COLUMNS }),
  },
  'update-trust-policy': {
    operation: 'UpdateAssumeRolePolicy',
    required: ['name', 'trust-policy'],
    input: (f) => ({ PrincipalName: f.name, PolicyDocument: policyText(f['trust-policy']), MaxSessionDuration: seconds(f['max-session-duration']) }),
  },
  'revoke-sessions': { operation: 'RevokeRoleSessions', required: ['name'], input: (f) => ({ PrincipalName: f.name }), show: (o) => ({ value: o }) },
  list: { operation: 'ListPrincipals', required: [], input: () => ({}), show: (o) => ({ value: o['Principals'], columns: PRINCIPAL_COLUMNS }) },
  get: { operation: 'GetPrincipal', required: ['name'], input: (f) => ({ PrincipalName: f.name }), show: (o) => ({ value: o['Principal'] }) },
  delete: { operation: 'DeletePrincipal', required: ['name'], input: (f) => ({ PrincipalName: f.name }) },
  tag: { operation: 'TagPrincipal', required: ['name', 'tag'], input: (f) => ({ PrincipalName: f.name, Tags: tags(f.tag) }) },
  untag: { operation: 'UntagPrincipal', required: ['name', 'tag-key'], input: (f) => ({ PrincipalName: f.name, TagKeys: f['tag-key'] }) },
  'put-policy': { operation: 'PutPrincipalPolicy', required: ['name', 'policy-name', 'policy'], input: (f) => ({ PrincipalName: f.name, PolicyName: f['policy-name'], PolicyDocument: policyText(f.policy) }) },
  'get-policy': { operation: 'GetPrincipalPolicy', required: ['name', 'policy-name'], input: (f) => ({ PrincipalName: f.name, PolicyName: f['policy-name'] }), show: (o) => ({ value: o }) },
  'delete-policy': { operation: 'DeletePrincipalPolicy', required: ['name', 'policy-name'], input: (f) => ({ PrincipalName: f.name, PolicyName: f['policy-name'] }) },
  'list-policies': { operation: 'ListPrincipalPolicies', required: ['name'], input: (f) => ({ PrincipalName: f.name }), show: (o) => ({ value: (Array.isArray(o['PolicyNames']) ? o['PolicyNames'] : []).map((n: unknown) => ({ PolicyName: n })) }) },
};

const ACCESS_KEY_COLUMNS = ['PrincipalName', 'AccessKeyId', 'Status', 'CreateDate'];

const ACCESS_KEY: Record<string, Subcommand> = {
  create: { operation: 'CreateAccessKey', required: ['name'], input: (f) => ({ PrincipalName: f.name }), show: (o) => ({ value: o['AccessKey'], columns: [...ACCESS_KEY_COLUMNS, 'SecretAccessKey'] }) },
  list: { operation: 'ListAccessKeys', required: ['name'], input: (f) => ({ PrincipalName: f.name }), show: (o) => ({ value: o['AccessKeyMetadata'], columns: ACCESS_KEY_COLUMNS }) },
  update: { operation: 'UpdateAccessKey', required: ['name', 'access-key-id', 'status'], input: (f) => ({ PrincipalName: f.name, AccessKeyId: f['access-key-id'], Status: f.status }) },
  delete: { operation: 'DeleteAccessKey', required: ['name', 'access-key-id'], input: (f) => ({ PrincipalName: f.name, AccessKeyId: f['access-key-id'] }) },
};

/** The options of a subcommand: its required ones first, each described. */
const OPTION_HELP: Record<keyof Flags, { flags: string; description: string }> = {
  name: { flags: '--name <name>', description: 'the principal' },
  type: { flags: '--type <type>', description: 'user, role or service' },
  tag: { flags: '--tag <key=value...>', description: 'a tag (repeatable)' },
  'tag-key': { flags: '--tag-key <key...>', description: 'a tag key (repeatable)' },
  'policy-name': { flags: '--policy-name <name>', description: 'the identity policy\'s name' },
  policy: { flags: '--policy <json>', description: 'the policy: inline JSON or file://path' },
  'access-key-id': { flags: '--access-key-id <id>', description: 'the access key' },
  status: { flags: '--status <status>', description: 'Active or Inactive' },
  'trust-policy': { flags: '--trust-policy <json>', description: 'a role\'s trust policy: inline JSON or file://path' },
  'max-session-duration': { flags: '--max-session-duration <seconds>', description: 'a role\'s longest session' },
};

const OPTIONAL: Record<string, readonly (keyof Flags)[]> = {
  'principal create': ['type', 'tag', 'trust-policy', 'max-session-duration'],
  'principal update-trust-policy': ['max-session-duration'],
};

const DESCRIPTIONS: Record<string, string> = {
  'principal create': 'create a principal (a user, role or service)',
  'principal update-trust-policy': 'replace a role\'s trust policy',
  'principal revoke-sessions': 'revoke every session of a role issued until now',
  'principal list': 'list the principals',
  'principal get': 'show one principal',
  'principal delete': 'delete a principal',
  'principal tag': 'tag a principal',
  'principal untag': 'remove tags from a principal',
  'principal put-policy': 'create or replace an identity policy of a principal',
  'principal get-policy': 'show an identity policy of a principal',
  'principal delete-policy': 'delete an identity policy of a principal',
  'principal list-policies': 'list the identity policies of a principal',
  'access-key create': 'create an access key (the secret is shown once)',
  'access-key list': 'list a principal\'s access keys',
  'access-key update': 'make an access key Active or Inactive',
  'access-key delete': 'delete an access key',
};

/** commander's camelCase option names back to the flag names the tables use. */
function flagsOf(opts: Record<string, unknown>): Flags {
  const str = (k: string): string | undefined => (typeof opts[k] === 'string' ? String(opts[k]) : undefined);
  const list = (k: string): string[] | undefined => (Array.isArray(opts[k]) ? opts[k].map(String) : undefined);
  return {
    name: str('name'),
    type: str('type'),
    tag: list('tag'),
    'tag-key': list('tagKey'),
    'policy-name': str('policyName'),
    policy: str('policy'),
    'access-key-id': str('accessKeyId'),
    status: str('status'),
    'trust-policy': str('trustPolicy'),
    'max-session-duration': str('maxSessionDuration'),
  };
}

function group(name: string, description: string, table: Record<string, Subcommand>): Command {
  const root = new Command(name).description(description);
  for (const [sub, c] of Object.entries(table)) {
    const cmd = new Command(sub).description(DESCRIPTIONS[`${name} ${sub}`] ?? c.operation);
    for (const flag of c.required) cmd.requiredOption(OPTION_HELP[flag].flags, OPTION_HELP[flag].description);
    for (const flag of OPTIONAL[`${name} ${sub}`] ?? []) cmd.option(OPTION_HELP[flag].flags, OPTION_HELP[flag].description);
    cmd.addHelpText('after', `\nCalls ArcaService.${c.operation}.`);
    cmd.action(
      act(async (self) => {
        const f = flagsOf(self.opts());
        const out = await callOperation(clientFor(self), `ArcaService.${c.operation}`, c.input(f));
        const shown = c.show?.(out);
        if (shown !== undefined) show(self, shown.value, shown.columns);
        else if (formatOf(self) !== 'table') show(self, out);
        return 0;
      }),
    );
    root.addCommand(cmd);
  }
  return root;
}

/** `arca principal …`: principals, their tags and identity policies. */
export const principalCommand = (): Command => group('principal', 'manage principals, their tags and identity policies: arca principal create --name app', PRINCIPAL);
/** `arca access-key …`: access keys (the secret is shown once). */
export const accessKeyCommand = (): Command => group('access-key', 'manage access keys: arca access-key create --name app (the secret is shown once)', ACCESS_KEY);
