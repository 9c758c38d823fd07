import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeKeyCommand, KMS } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ClientConfig } from '../client.js';
import { EncryptionCliError } from './errors.js';

/**
 * The AWS SDK's KMS client pointed at Arca, for the Encryption SDK's KMS keyring (`arca encrypt/decrypt`,
 * issue 23): the endpoint, region and credentials of `clientOf(cmd)`, and for mTLS an https agent that
 * presents `--cert`/`--cert-key` and trusts `--ca`. Every client it hands out counts the GenerateDataKey
 * calls it sent, so a batch can report how much the data-key cache saved.
 */
export class ArcaKms {
  private readonly clients = new Map<string, KMS>();
  private readonly handler: NodeHttpHandler;
  /** GenerateDataKey requests sent (whatever their answer), over every region's client. */
  generateDataKeyCalls = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly profile?: string | undefined,
  ) {
    const tls = config.tls;
    this.handler = new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true, cert: tls?.cert, key: tls?.key, ca: tls?.ca }),
    });
  }

  /** The client for `region` (one endpoint serves several regions, told apart by the signature's scope). */
  client(region: string = this.config.region): KMS {
    const known = this.clients.get(region);
    if (known !== undefined) return known;
    const kms = new KMS({
      endpoint: this.config.endpoint,
      region,
      maxAttempts: 2,
      requestHandler: this.handler,
      ...(this.config.credentials !== undefined ? { credentials: this.config.credentials } : this.profile !== undefined ? { profile: this.profile } : {}),
    });
    kms.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'GenerateDataKeyCommand') this.generateDataKeyCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'arcaCountGenerateDataKey' },
    );
    this.clients.set(region, kms);
    return kms;
  }

  /** The key ARN of an id, ARN, alias name or alias ARN (what an encrypted data key names as its provider info). */
  async keyArn(keyId: string): Promise<string> {
    const out = await this.client().send(new DescribeKeyCommand({ KeyId: keyId }));
    const arn = out.KeyMetadata?.Arn;
    if (arn === undefined) throw new EncryptionCliError('InvalidResponse', `DescribeKey ${keyId} answered no key ARN`);
    return arn;
  }

  /**
   * The account and partition of the caller (STS GetCallerIdentity on the same endpoint, ADR 0018): a
   * decrypt without `--key` accepts only data keys wrapped by a key of this account.
   */
  async callerAccount(): Promise<{ readonly account: string; readonly partition: string }> {
    const url = new URL('/', this.config.endpoint);
    const credentials = await this.client().config.credentials();
    const signer = new SignatureV4({ service: 'sts', region: this.config.region, credentials, sha256: Sha256 });
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port) || undefined,
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    const { response } = await this.handler.handle(new HttpRequest(await signer.sign(request)));
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    const xml = Buffer.concat(chunks).toString('utf8');
    const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
    const account = tag('Account');
    const partition = /^arn:([^:]+):/.exec(tag('Arn') ?? '')?.[1];
    if (response.statusCode !== 200 || account === undefined || partition === undefined) {
      throw new EncryptionCliError(tag('Code') ?? `HTTP${response.statusCode}`, tag('Message') ?? 'GetCallerIdentity failed', tag('RequestId'));
    }
    return { account, partition };
  }

  destroy(): void {
    for (const kms of this.clients.values()) kms.destroy();
    this.handler.destroy();
  }
}
