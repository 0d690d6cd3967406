/**
 * Third-party emulators started as child processes on 127.0.0.1 (the sync mode blocks the test's thread, so
 * a server in the same thread would deadlock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running emulator. */
export interface Emulator {
  readonly port: number;
  close(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts s3rver (credentials S3RVER / S3RVER) in a child process. */
export function startS3rver(): Promise<Emulator> {
  const script = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
    // s3rver's continuation tokens use a cipher Node 20 only offers with the legacy provider.
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited early with ${code}`)));
    child.stdout!.once('data', (data: Buffer) => {
      child.removeAllListeners('exit');
      resolve({
        port: Number(String(data).trim()),
        close: async () => {
          const done = exited(child);
          child.stdin!.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await done;
          clearTimeout(timer);
        },
      });
    });
  });
}

/** A free TCP port on 127.0.0.1 (azurite needs a port number up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key. */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /**
   * Custom storage accounts, as azurite's `AZURITE_ACCOUNTS` takes them (`name:base64key;name2:base64key2`).
   * When given, the default development account is disabled.
   */
  readonly accounts?: string;
}

/** Starts azurite-blob in a child process with a temporary location. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Emulator> {
  const location = mkdtempSync(join(tmpdir(), 'dualcloud-azurite-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const bin = join(repoRoot, 'node_modules/.bin/azurite-blob');
    const child = spawn(
      bin,
      ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: false,
        env: options.accounts === undefined ? process.env : { ...process.env, AZURITE_ACCOUNTS: options.accounts },
      },
    );
    const ready = await new Promise<boolean>((resolve) => {
      let output = '';
      const onData = (data: Buffer): void => {
        output += String(data);
        if (/successfully listens|listening on/i.test(output)) resolve(true);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => resolve(false));
    });
    if (ready) {
      return {
        port,
        close: async () => {
          const done = exited(child);
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await done;
          clearTimeout(timer);
          rmSync(location, { recursive: true, force: true });
        },
      };
    }
    if (attempt >= 2) {
      rmSync(location, { recursive: true, force: true });
      throw new Error('azurite did not start');
    }
  }
}
