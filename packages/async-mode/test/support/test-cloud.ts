import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The test cloud running in a child process; `close()` ends it. */
export interface TestCloud {
  readonly port: number;
  stats(): Promise<{ requests: number; maxConcurrent: number }>;
  close(): Promise<void>;
}

/** Starts `test-cloud-server.mjs` in a child process and resolves once it listens. */
export function startTestCloud(): Promise<TestCloud> {
  const script = fileURLToPath(new URL('./test-cloud-server.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (data: Buffer) => {
      const port = Number(String(data).trim());
      resolve({
        port,
        stats: async () => (await fetch(`http://127.0.0.1:${port}/stats`)).json() as Promise<{ requests: number; maxConcurrent: number }>,
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.stdin!.end();
          }),
      });
    });
  });
}
