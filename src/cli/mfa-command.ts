import { parseArgs } from 'node:util';
import QRCode from 'qrcode';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';

/**
 * `arca mfa enable --name P` and `arca mfa disable --name P`: a principal's virtual MFA device (issue 17).
 * Enabling prints the serial number, the base32 seed and the `otpauth://` URI once, and the URI as a QR
 * code for an authenticator app (`--no-qr` leaves it out; `--output json` prints the answer as JSON).
 */

const USAGE = `Usage:
  arca mfa enable --name <name> [--no-qr] [--output json]   create the principal's TOTP device (the seed is shown once)
  arca mfa disable --name <name>                            remove it
Options: --endpoint URL
`;

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Runs `arca mfa …`; answers the exit code. */
export async function runMfa(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'enable' && sub !== 'disable') {
    process.stderr.write(sub === undefined || sub === '--help' ? USAGE : `arca mfa: unknown subcommand '${sub}'\n${USAGE}`);
    return sub === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, 'no-qr': { type: 'boolean' }, output: { type: 'string' }, endpoint: { type: 'string' } } });
  if (values.name === undefined) {
    process.stderr.write(`arca mfa ${sub}: missing --name\n`);
    return 2;
  }
  try {
    const config = clientConfigFrom(process.env, values.endpoint);
    if (sub === 'disable') {
      await callOperation(config, 'ArcaService.DisableMfaDevice', { PrincipalName: values.name });
      return 0;
    }
    const out = await callOperation(config, 'ArcaService.EnableMfaDevice', { PrincipalName: values.name });
    const device = (out['MfaDevice'] ?? {}) as Record<string, unknown>;
    if (values.output === 'json') {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const uri = text(device['OtpauthUri']);
    process.stdout.write(`SerialNumber: ${text(device['SerialNumber'])}\nBase32StringSeed: ${text(device['Base32StringSeed'])}\nOtpauthUri: ${uri}\n`);
    if (values['no-qr'] !== true) process.stdout.write(`\n${await QRCode.toString(uri, { type: 'terminal', small: true })}\n`);
    process.stdout.write('The seed is shown this once: scan the QR code or type the seed into an authenticator app now.\n');
    return 0;
  } catch (e) {
    return reportCallError(e);
  }
}
