import { Command } from 'commander';
import QRCode from 'qrcode';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, show } from './command-kit.js';

/**
 * `arca mfa enable --name P` and `arca mfa disable --name P`: a principal's virtual MFA device (issue 17).
 * Enabling prints the serial number, the base32 seed and the `otpauth://` URI once, and the URI as a QR
 * code for an authenticator app (`--no-qr` leaves it out; `--output json|yaml` prints the answer as it came).
 */

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function mfaCommand(): Command {
  const mfa = new Command('mfa').description("a principal's TOTP MFA device: arca mfa enable --name app (prints a QR code, shown once)");
  mfa.addCommand(
    new Command('enable')
      .description("create the principal's TOTP device (the seed is shown once)")
      .requiredOption('--name <name>', 'the principal')
      .option('--no-qr', 'leave out the QR code')
      .action(
        act(async (cmd) => {
          const o = cmd.opts<{ name: string; qr: boolean }>();
          const out = await callOperation(clientFor(cmd), 'ArcaService.EnableMfaDevice', { PrincipalName: o.name });
          if (formatOf(cmd) !== 'table') {
            show(cmd, out);
            return 0;
          }
          const device = (out['MfaDevice'] ?? {}) as Record<string, unknown>;
          const uri = text(device['OtpauthUri']);
          process.stdout.write(`SerialNumber: ${text(device['SerialNumber'])}\nBase32StringSeed: ${text(device['Base32StringSeed'])}\nOtpauthUri: ${uri}\n`);
          if (o.qr) process.stdout.write(`\n${await QRCode.toString(uri, { type: 'terminal', small: true })}\n`);
          process.stdout.write('The seed is shown this once: scan the QR code or type the seed into an authenticator app now.\n');
          return 0;
        }),
      ),
  );
  mfa.addCommand(
    new Command('disable')
      .description("remove the principal's TOTP device")
      .requiredOption('--name <name>', 'the principal')
      .action(
        act(async (cmd) => {
          const out = await callOperation(clientFor(cmd), 'ArcaService.DisableMfaDevice', { PrincipalName: cmd.opts<{ name: string }>().name });
          if (formatOf(cmd) !== 'table') show(cmd, out);
          return 0;
        }),
      ),
  );
  return mfa;
}
