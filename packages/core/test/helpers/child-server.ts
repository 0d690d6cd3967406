import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A server running in a child process; `close()` ends it. */
export interface ChildServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts `echo-server.mjs` in a child process and resolves once it listens. */
export function startEchoServer(): Promise<ChildServer> {
  const script = fileURLToPath(new URL('./echo-server.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (data: Buffer) => {
      resolve({
        port: Number(String(data).trim()),
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.stdin!.end();
          }),
      });
    });
  });
}
