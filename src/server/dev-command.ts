import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isTimeZone } from '../core/policy/context.js';
import { createDevApp } from './app.js';
import { endpointUrl, parseListen } from './listen.js';
import { createLogger } from './logger.js';

export const DEV_DEFAULTS = {
  dataDir: './.arca-dev',
  listen: '127.0.0.1:8420',
  region: 'us-east-1',
  account: '111122223333',
  timeZone: 'UTC',
} as const;

export const DEV_USAGE = `arca dev [options]

Runs Arca for development: embedded SQLite, an auto-unsealed INSECURE dev root key, and a bootstrap
admin access key printed and written to <data-dir>/credentials.env.

Options:
  --data-dir <dir>     data directory (default ${DEV_DEFAULTS.dataDir})
  --listen <host:port> listen address (default ${DEV_DEFAULTS.listen}; port 0 picks a free port)
  --region <region>    region in ARNs and SigV4 scopes (default ${DEV_DEFAULTS.region})
  --account <12 digits> account id in ARNs (default ${DEV_DEFAULTS.account})
  --time-zone <zone>   IANA time zone of the arca:LocalHour and arca:DayOfWeek policy keys (default ${DEV_DEFAULTS.timeZone})
  --quiet              log warnings and errors only
  -h, --help           show this help
`;

/** `arca dev`: the development server. Resolves when the server has shut down after SIGINT/SIGTERM. */
export async function runDev(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string', default: DEV_DEFAULTS.dataDir },
      listen: { type: 'string', default: DEV_DEFAULTS.listen },
      region: { type: 'string', default: DEV_DEFAULTS.region },
      account: { type: 'string', default: DEV_DEFAULTS.account },
      'time-zone': { type: 'string', default: process.env['ARCA_TIME_ZONE'] ?? DEV_DEFAULTS.timeZone },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DEV_USAGE);
    return 0;
  }
  const errors: string[] = [];
  let listen = { host: '', port: 0 };
  try {
    listen = parseListen(values.listen);
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (!/^\d{12}$/.test(values.account)) errors.push(`--account must be 12 digits, not '${values.account}'`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) errors.push(`--region must look like an AWS region (us-east-1), not '${values.region}'`);
  if (!isTimeZone(values['time-zone'])) errors.push(`--time-zone must be an IANA time zone (Europe/Paris), not '${values['time-zone']}'`);
  if (errors.length > 0) {
    process.stderr.write(errors.map((e) => `arca dev: ${e}\n`).join(''));
    return 2;
  }

  const dataDir = resolve(values['data-dir']);
  const logger = createLogger({ quiet: values.quiet });
  const app = await createDevApp({ dataDir, realm: { partition: 'aws', region: values.region, account: values.account }, logger, timeZone: values['time-zone'] });
  await new Promise<void>((ok, fail) => {
    app.server.once('error', fail);
    app.server.listen(listen.port, listen.host, () => ok());
  });
  // Signal handlers go in before "listening" is printed: a supervisor (or a test) that signals as soon
  // as it reads that line must reach them, not Node's default handler.
  const stopped = new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      void app.close().then(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const address = app.server.address() as AddressInfo;
  const endpoint = endpointUrl(listen.host, address.port);
  const secret = app.admin.secretAccessKey.expose().toString('utf8');
  const envFile = join(dataDir, 'credentials.env');
  writeFileSync(
    envFile,
    [
      `export AWS_ACCESS_KEY_ID=${app.admin.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${secret}`,
      `export AWS_REGION=${values.region}`,
      `export AWS_ENDPOINT_URL_KMS=${endpoint}`,
      `export ARCA_ENDPOINT=${endpoint}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  process.stdout.write(
    [
      '',
      `Arca dev server listening on ${endpoint}`,
      '  WARNING: dev mode. The root key is stored UNSEALED in the data directory; never use it for real keys.',
      `  data directory: ${dataDir}`,
      `  admin user:     ${app.admin.principalArn}${app.admin.created ? ' (created)' : ''}`,
      `  access key id:  ${app.admin.accessKeyId}`,
      `  secret key:     ${secret}`,
      `  credentials:    ${envFile}`,
      '',
      'Try it:',
      `  source ${envFile}`,
      `  aws kms create-key --description demo`,
      `  aws kms encrypt --key-id <KeyId> --plaintext "$(printf hello | base64)" --query CiphertextBlob --output text`,
      '',
      '',
    ].join('\n'),
  );

  await stopped;
  return 0;
}
