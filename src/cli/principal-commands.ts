import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';
import { parseOutputFormat, render } from './output.js';

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

function usage(group: string, table: Record<string, Subcommand>): string {
  const lines = Object.entries(table).map(([sub, c]) => `  arca ${group} ${sub} ${c.required.map((r) => `--${r} <${r}>`).join(' ')}`.trimEnd());
  return `Usage:\n${lines.join('\n')}\nOptions: --type user|role|service, --tag key=value (repeatable), --trust-policy JSON|file://path and --max-session-duration SECONDS (roles), --output json|table, --endpoint URL\n`;
}

async function run(group: string, table: Record<string, Subcommand>, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub === undefined ? undefined : table[sub];
  if (command === undefined) {
    process.stderr.write(sub === undefined || sub === '--help' ? usage(group, table) : `arca ${group}: unknown subcommand '${sub}'\n${usage(group, table)}`);
    return sub === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      type: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'tag-key': { type: 'string', multiple: true },
      'policy-name': { type: 'string' },
      policy: { type: 'string' },
      'access-key-id': { type: 'string' },
      status: { type: 'string' },
      'trust-policy': { type: 'string' },
      'max-session-duration': { type: 'string' },
      output: { type: 'string' },
      endpoint: { type: 'string' },
    },
  });
  const missing = command.required.filter((r) => values[r] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`arca ${group} ${sub}: missing ${missing.map((m) => `--${m}`).join(', ')}\n`);
    return 2;
  }
  try {
    const format = parseOutputFormat(values.output);
    const out = await callOperation(clientConfigFrom(process.env, values.endpoint), `ArcaService.${command.operation}`, command.input(values));
    const shown = command.show?.(out);
    if (shown !== undefined) process.stdout.write(render(format, shown.value, shown.columns));
    return 0;
  } catch (e) {
    return reportCallError(e);
  }
}

export const runPrincipal = (argv: readonly string[]) => run('principal', PRINCIPAL, argv);
export const runAccessKey = (argv: readonly string[]) => run('access-key', ACCESS_KEY, argv);
