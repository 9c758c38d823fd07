/**
 * The enumerations of KMIP's Cryptographic Parameters that Arca maps to its algorithms (1.4 §9.1.3.2.13,
 * .14, .15, .23; 2.0 §11): only the values an Arca key can honour, plus the ones needed to refuse clearly.
 * Cross-checked against PyKMIP's enums.py with the tables of tags.ts.
 */

export const BLOCK_CIPHER_MODE = {
  Cbc: 0x01,
  Ecb: 0x02,
  Ctr: 0x06,
  Gcm: 0x09,
} as const;

export const PADDING_METHOD = {
  None: 0x01,
  Oaep: 0x02,
  Pkcs5: 0x03,
  Pkcs1v15: 0x08,
  Pss: 0x0a,
} as const;

export const HASHING_ALGORITHM = {
  Sha1: 0x04,
  Sha224: 0x05,
  Sha256: 0x06,
  Sha384: 0x07,
  Sha512: 0x08,
} as const;

export const DIGITAL_SIGNATURE_ALGORITHM = {
  Sha256WithRsaEncryption: 0x05,
  Sha384WithRsaEncryption: 0x06,
  Sha512WithRsaEncryption: 0x07,
  RsassaPss: 0x08,
  EcdsaWithSha256: 0x0e,
  EcdsaWithSha384: 0x0f,
  EcdsaWithSha512: 0x10,
} as const;

export const VALIDITY_INDICATOR = {
  Valid: 0x01,
  Invalid: 0x02,
  Unknown: 0x03,
} as const;
