// `npm run backup -- <file>` and `npm run restore -- <file> [--force] [--dry-run]`: the data dir
// and stores come from the usual configuration; the passphrase from WA_BRIDGE_BACKUP_PASSPHRASE
// or, on a terminal, a prompt.
import readline from 'node:readline';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { BackupError, createBackup, inspectBackup, restoreBackup, type BackupManifest } from './bundle.js';

function usage(): never {
  console.error('usage: npm run backup -- <file>\n       npm run restore -- <file> [--force] [--dry-run]');
  process.exit(2);
}

async function askPassphrase(confirm: boolean): Promise<string> {
  const fromEnv = process.env.WA_BRIDGE_BACKUP_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new BackupError('set WA_BRIDGE_BACKUP_PASSPHRASE (no terminal to ask on)');
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Do not echo what is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stdout.write(s);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Backup passphrase: ');
  if (confirm && (await ask('Repeat it: ')) !== first) throw new BackupError('the passphrases differ');
  return first;
}

function describe(m: BackupManifest): string {
  const lines = [
    `  made ${new Date(m.createdAt).toISOString()}`,
    `  ${m.devices} paired phone(s), ${m.outbox} queued message(s), settings: ${m.settings ? 'yes' : 'no'}, archive: ${m.archive}`,
    ...m.slots.map((s) => `  slot ${s.slot}: ${s.wid}, snapshot of ${new Date(s.createdAt).toISOString()} (${s.bytes} bytes)`),
    ...m.slotsWithout.map((s) => `  slot ${s.slot}: no snapshot (${s.reason})`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [command, file, ...flags] = process.argv.slice(2);
  if (!file || (command !== 'backup' && command !== 'restore') || flags.some((f) => f !== '--force' && f !== '--dry-run')) usage();
  const config = loadConfig(process.env);
  const logger = pino({ level: 'warn' });
  if (command === 'backup') {
    const manifest = await createBackup(config, file, await askPassphrase(true), logger);
    console.log(`backup written to ${file}\n${describe(manifest)}`);
    return;
  }
  const passphrase = await askPassphrase(false);
  if (flags.includes('--dry-run')) {
    console.log(`${file} holds:\n${describe(await inspectBackup(config, file, passphrase))}`);
    return;
  }
  const report = await restoreBackup(config, file, passphrase, { force: flags.includes('--force'), logger });
  console.log(`restored into ${config.dataDir}:\n${describe(report.manifest)}`);
  for (const warning of report.warnings) console.warn(`warning: ${warning}`);
  console.log('Start the bridge: connected slots come back from their snapshots without a QR.');
}

main().catch((err: unknown) => {
  if (err instanceof BackupError || err instanceof ConfigError) {
    console.error(`wa-bridge: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
