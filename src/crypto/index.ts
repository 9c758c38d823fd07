export * from './secret-bytes.js';
export * from './random.js';
export * from './aead.js';
export * from './kdf.js';
export * from './encoding.js';
export * from './ciphertext-blob.js';
export * from './key-wrap.js';
