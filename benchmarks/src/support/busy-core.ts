/**
 * A second CPU-bound process, for measuring under "one busy core": a child Node process that spins, bounded
 * in time (it exits by itself after `maxMs` even if the bench dies) and killed when the measurement is done.
 * @module
 */
import { spawn } from 'node:child_process';

/** Runs `fn` while another process keeps one core busy. */
export async function withBusyCore<T>(fn: () => Promise<T>, maxMs = 300_000): Promise<T> {
  const hog = spawn(process.execPath, ['-e', `const end = Date.now() + ${Math.round(maxMs)}; let x = 0; while (Date.now() < end) x++;`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => hog.once('exit', () => resolve()));
  try {
    await new Promise((r) => setTimeout(r, 200)); // let it start spinning
    return await fn();
  } finally {
    hog.kill('SIGKILL');
    await exited;
  }
}
