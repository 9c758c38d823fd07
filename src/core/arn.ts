import { isUuid } from '../crypto/encoding.js';
import { invalidInput, KmsError } from './errors.js';
import { MRK_ID_RE, wireKeyId } from './multi-region.js';

/** Where a deployment says it is: every ARN it issues names this region and account. */
export interface Realm {
  readonly partition: 'aws';
  readonly region: string;
  readonly account: string;
}

/** The ARN of the key stored under `keyId` (a multi-Region key's storage id names its wire id: ADR 0022). */
export function keyArn(realm: Realm, keyId: string): string {
  return `arn:${realm.partition}:kms:${realm.region}:${realm.account}:key/${wireKeyId(keyId)}`;
}

export function aliasArn(realm: Realm, aliasName: string): string {
  return `arn:${realm.partition}:kms:${realm.region}:${realm.account}:${aliasName}`;
}

/** Whether `resource` is an alias ARN (`arn:<partition>:kms:<region>:<account>:alias/<name>`). */
export function isAliasArn(resource: string): boolean {
  return /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\//.test(resource);
}

/** Whether `resource` is an IAM role ARN (`arn:<partition>:iam::<account>:role/<name>`): AssumeRole's resource. */
export function isRoleArn(resource: string): boolean {
  return /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@-]+$/.test(resource);
}

/** IAM principal ARNs AWS clients can parse: roles are `role/<name>`, users and service accounts `user/<name>`. */
export function principalArn(realm: Realm, type: 'user' | 'role' | 'service', name: string): string {
  return `arn:${realm.partition}:iam::${realm.account}:${type === 'role' ? 'role' : 'user'}/${name}`;
}

export function accountRootArn(realm: Realm): string {
  return `arn:${realm.partition}:iam::${realm.account}:root`;
}

/** A caller's `KeyId`: a key id, key ARN, alias name or alias ARN, as AWS accepts them. */
export type KeyRef = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

const ARN_RE = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;


/** Whether `id` has the form of a key id: a UUID, or a multi-Region key's `mrk-` id. */
function isKeyIdForm(id: string): boolean {
  return isUuid(id) || MRK_ID_RE.test(id);
}

/**
 * Parses a `KeyId` parameter. An ARN for another partition, region or account cannot name a key here,
 * so it is answered like an unknown key (NotFound), as AWS does for keys it does not have; for another
 * region, with AWS's words (`Invalid arn <that region>`).
 */
export function parseKeyRef(realm: Realm, value: string, opts: { allowAlias: boolean }): KeyRef {
  const m = ARN_RE.exec(value);
  let resource = value;
  if (m) {
    if (m[1] === realm.partition && m[3] === realm.account && m[2] !== realm.region && m[4]?.startsWith('key/') === true) throw new KmsError('KeyNotFound', `Invalid arn ${m[2]}`);
    if (m[1] !== realm.partition || m[2] !== realm.region || m[3] !== realm.account) throw notFound(value);
    resource = m[4] ?? '';
    if (resource.startsWith('key/')) {
      const id = resource.slice(4);
      if (!isKeyIdForm(id)) throw new KmsError('KeyNotFound', `Invalid arn ${value}`);
      return { kind: 'key', keyId: id };
    }
  } else if (value.startsWith('arn:')) {
    throw new KmsError('KeyNotFound', `Invalid arn ${value}`);
  }
  if (resource.startsWith('alias/')) {
    if (!opts.allowAlias) throw new KmsError('KeyNotFound', `Invalid keyId '${value}'`);
    return { kind: 'alias', aliasName: resource };
  }
  if (!m && isKeyIdForm(value)) return { kind: 'key', keyId: value };
  throw new KmsError('KeyNotFound', `Invalid keyId '${value}'`);
}

export function notFound(what: string): KmsError {
  return new KmsError('KeyNotFound', `Key '${what}' does not exist`);
}

const ALIAS_RE = /^alias\/[a-zA-Z0-9/_-]+$/;

/** AWS's rules for alias names: `alias/` then letters, digits, `/_-`; at most 256 characters; not `alias/aws/`. */
export function checkAliasName(name: string): void {
  if (name.length > 256 || !ALIAS_RE.test(name)) {
    throw invalidInput([{ member: 'aliasName', value: name, constraint: 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$' }]);
  }
  if (name.startsWith('alias/aws/')) {
    throw new KmsError('InvalidAliasName', `Alias must not begin with 'alias/aws/'. Those names are reserved for AWS managed keys.`);
  }
}
