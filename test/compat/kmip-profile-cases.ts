/**
 * The mandatory test cases of the KMIP 1.4 profiles that PyKMIP's client can express, written here as
 * data after the sequences of the OASIS test cases (kmip-profiles-v1.4, test-cases/kmip-v1.4/mandatory:
 * their ids name them). Each step is run by test/fixtures/kmip/pykmip-client.py (`cases`); `expect` is
 * the Result Status the OASIS case expects, `value` what the answer must hold.
 *
 * Differences from the OASIS files, each because of PyKMIP or Arca (docs/kmip.md, "Profile test cases"):
 * - PyKMIP's `create` cannot send an Activation Date, so the cryptographic cases Activate explicitly.
 * - Arca's AES keys are 256 bits; PyKMIP 1.x cannot send AddAttribute, so the attribute cases modify and
 *   delete a Name (an alias) instead of adding a custom attribute first.
 * - Encrypt uses Arca's own authenticated ciphertext (no client IV), so the block-mode cases run with
 *   no Cryptographic Parameters.
 */
export interface ProfileStep {
  readonly op: string;
  readonly expect: 'Success' | 'OperationFailed';
  /** What the answer's value must equal (deepEqual). */
  readonly value?: unknown;
  /** The Result Reason a refusal must have (PyKMIP's enum name). */
  readonly expectReason?: string;
  readonly [arg: string]: unknown;
}

export interface ProfileCase {
  readonly id: string;
  readonly profile: string;
  readonly steps: readonly ProfileStep[];
}

const HMAC_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const AES_KEY = 'f0e0d0c0b0a090807060504030201000f0e0d0c0b0a090807060504030201000';
const OK = 'Success' as const;
const FAIL = 'OperationFailed' as const;
const state = (s: string): ProfileStep => ({ op: 'get_attributes', names: ['State'], expect: OK, value: { State: s } });

export const PROFILE_CASES: readonly ProfileCase[] = [
  { id: 'TL-M-1-14', profile: 'Baseline Server (Query)', steps: [{ op: 'query', expect: OK }] },
  { id: 'DISCOVER-VERSIONS', profile: 'Baseline Server (DiscoverVersions)', steps: [{ op: 'discover_versions', expect: OK, value: [[2, 1], [2, 0], [1, 4], [1, 3], [1, 2], [1, 1], [1, 0]] }] },
  { id: 'SKLC-M-1-14', profile: 'Symmetric Key Lifecycle Server', steps: [{ op: 'create', expect: OK }, state('PRE_ACTIVE'), { op: 'destroy', expect: OK }] },
  {
    id: 'SKLC-M-2-14',
    profile: 'Symmetric Key Lifecycle Server',
    steps: [{ op: 'create', expect: OK }, state('PRE_ACTIVE'), { op: 'activate', expect: OK }, state('ACTIVE'), { op: 'destroy', expect: FAIL }, { op: 'revoke', reason: 'KEY_COMPROMISE', expect: OK }, state('COMPROMISED'), { op: 'destroy', expect: OK }],
  },
  {
    id: 'SKLC-M-3-14',
    profile: 'Symmetric Key Lifecycle Server',
    steps: [{ op: 'create', expect: OK }, state('PRE_ACTIVE'), { op: 'activate', expect: OK }, state('ACTIVE'), { op: 'modify_attribute', name: 'Activation Date', set: 1_000_000, expect: FAIL }, { op: 'revoke', expect: OK }, state('DEACTIVATED'), { op: 'destroy', expect: OK }],
  },
  {
    id: 'SKFF-M-5-14',
    profile: 'Symmetric Key Foundry Server',
    steps: [{ op: 'create', name: 'skff-m-5', expect: OK }, { op: 'locate', name: 'skff-m-5', expect: OK, value: 'contains' }, { op: 'get', expect: OK }, { op: 'destroy', expect: OK }, { op: 'get', expect: FAIL }],
  },
  {
    id: 'SKFF-M-9-14',
    profile: 'Symmetric Key Foundry Server',
    steps: [
      { op: 'create', name: 'skff-m-9', expect: OK },
      state('PRE_ACTIVE'),
      { op: 'activate', expect: OK },
      state('ACTIVE'),
      { op: 'locate', name: 'skff-m-9', expect: OK, value: 'contains' },
      { op: 'get', expect: OK },
      { op: 'revoke', expect: OK },
      state('DEACTIVATED'),
      { op: 'get_attribute_list', expect: OK },
      { op: 'modify_attribute', name: 'Name', set: 'skff-m-9-renamed', expect: OK },
      { op: 'locate', name: 'skff-m-9-renamed', expect: OK, value: 'contains' },
      { op: 'locate', name: 'skff-m-9', expect: OK, value: 'absent' },
      { op: 'delete_attribute', name: 'Name', expect: OK },
      { op: 'locate', name: 'skff-m-9-renamed', expect: OK, value: 'absent' },
      { op: 'get', expect: OK },
      { op: 'destroy', expect: OK },
    ],
  },
  { id: 'TL-M-3-14', profile: 'Baseline Server (Locate)', steps: [{ op: 'create', name: 'tl-m-3', expect: OK }, { op: 'locate', name: 'tl-m-3', expect: OK, value: 'contains' }, { op: 'locate', name: 'tl-m-3-other', expect: OK, value: 'absent' }, { op: 'destroy', expect: OK }] },
  {
    id: 'CS-BC-M-3-14',
    profile: 'Basic Cryptographic Server',
    steps: [{ op: 'create', expect: OK }, { op: 'activate', expect: OK }, { op: 'encrypt', data: 'cs-bc-m-3', expect: OK }, { op: 'decrypt', expect: OK, value: 'cs-bc-m-3' }, { op: 'revoke', expect: OK }, { op: 'destroy', expect: OK }],
  },
  {
    id: 'CS-BC-M-6-14',
    profile: 'Basic Cryptographic Server',
    steps: [{ op: 'register', material: AES_KEY, name: 'cs-bc-m-6', expect: OK }, { op: 'activate', expect: OK }, { op: 'encrypt', data: 'cs-bc-m-6', expect: OK }, { op: 'decrypt', expect: OK, value: 'cs-bc-m-6' }, { op: 'get', expect: OK, value: AES_KEY }, { op: 'revoke', expect: OK }, { op: 'destroy', expect: OK }],
  },
  {
    id: 'CS-BC-M-14-14',
    profile: 'Basic Cryptographic Server',
    steps: [{ op: 'register', material: AES_KEY, name: 'cs-bc-m-14', expect: OK }, { op: 'encrypt', expect: FAIL }, { op: 'decrypt', expect: FAIL }, { op: 'revoke', expect: OK }, { op: 'destroy', expect: OK }],
  },
  {
    id: 'CS-AC-M-4-14',
    profile: 'Advanced Cryptographic Server (MAC)',
    steps: [{ op: 'register', alg: 'HMAC_SHA256', material: HMAC_KEY, name: 'cs-ac-m-4', mask: ['MAC_GENERATE', 'MAC_VERIFY'], expect: OK }, { op: 'activate', expect: OK }, { op: 'mac', alg: 'HMAC_SHA256', data: 'cs-ac-m-4', expect: OK, value: '63cedb12e5a6d3056db83c9999c1993c8ed71173e2b17ea8e1fec29dd52dd61c' }, { op: 'revoke', expect: OK }, { op: 'destroy', expect: OK }],
  },
  {
    id: 'NAMES-UNIQUE',
    profile: 'Arca: a Name is an alias, unique among live keys',
    steps: [{ op: 'register', material: AES_KEY, name: 'one name', expect: OK }, { op: 'register', material: AES_KEY, name: 'one name', expect: FAIL, expectReason: 'OBJECT_ALREADY_EXISTS' }, { op: 'locate', uid: 0, name: 'one name', expect: OK, value: 'contains' }],
  },
  {
    id: 'CS-AC-M-3-14',
    profile: 'Advanced Cryptographic Server (signatures)',
    steps: [{ op: 'sign', expect: OK }, { op: 'signature_verify', expect: OK, value: 'VALID' }, { op: 'signature_verify', data: 'tampered', expect: OK, value: 'INVALID' }],
  },
];
