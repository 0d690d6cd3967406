import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A loopback server running in a child process. */
export interface ChildProcessServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a `.mjs` server script next to this file in a child process; it prints its port. */
export function startChildServer(script: string, args: string[] = []): Promise<ChildProcessServer> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [path, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) =>
      resolve({
        port: Number(String(data).trim()),
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.stdin.end();
          }),
      }),
    );
  });
}
