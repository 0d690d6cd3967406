/**
 * Apache Libcloud as a peer: its DigitalOcean driver (Python, sync) listing the same droplets on the same fake
 * cloud, in the ways its documentation recommends — one call after another, and a thread pool with one driver
 * per thread (its drivers are not thread-safe). The Python side (`support/libcloud_peer.py`) runs as one child
 * process for the whole bench and takes one command per round, so its rounds interleave with the Node modes'.
 *
 * When no Python with Libcloud is found (the Debian package `python3-libcloud`), the peer is unavailable with a
 * note saying so: the bench skips its rows and never fails for it.
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { FAKE_CREDENTIALS } from '@dualcloud/fake-cloud';
import type { PoolResult } from '../pool.js';

/** The Libcloud peer, or why it is not there. */
export type LibcloudPeer = LibcloudAvailable | { readonly available: false; readonly note: string };

/** A running Libcloud peer. */
export interface LibcloudAvailable {
  readonly available: true;
  /** e.g. `Apache Libcloud 3.4.1 (Python 3.11.2, /usr/bin/python3)` */
  readonly label: string;
  /** `calls` sequential `list_nodes()` on one driver; microseconds per call. */
  sequential(calls: number): Promise<{ usPerCall: number; completed: number }>;
  /** `ops` `list_nodes()` on a pool of `threads` threads, one driver per thread. */
  pool(ops: number, threads: number): Promise<PoolResult>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../support/libcloud_peer.py', import.meta.url));
const INSTALL_HINT = 'apt-get install -y python3-libcloud';

/**
 * The first Python that imports libcloud: `$LIBCLOUD_PYTHON`, then the system's `/usr/bin/python3` (where the
 * Debian package installs it; a pyenv or venv `python3` earlier on PATH usually lacks it), then `python3`.
 */
export function findLibcloudPython(candidates: readonly string[] = defaultCandidates()): { python: string; version: string } | { note: string } {
  const tried: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import libcloud, sys; print(libcloud.__version__, sys.version.split()[0])'], { encoding: 'utf8', timeout: 15_000 });
    if (probe.status === 0 && probe.stdout.trim()) return { python, version: probe.stdout.trim() };
    tried.push(python);
  }
  return { note: `Libcloud rows skipped: no Python with Apache Libcloud found (tried ${tried.join(', ')}); install it with \`${INSTALL_HINT}\` or set LIBCLOUD_PYTHON` };
}

function defaultCandidates(): string[] {
  return [...new Set([process.env.LIBCLOUD_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p)))];
}

/** Starts the Libcloud peer against the fake cloud's DigitalOcean endpoint (never throws: a failure is a note). */
export async function startLibcloudPeer(cloud: FakeCloud, opts: { deadlineMs: number; candidates?: readonly string[] }): Promise<LibcloudPeer> {
  const found = findLibcloudPython(opts.candidates);
  if ('note' in found) return { available: false, note: found.note };
  const { host, port } = cloud.endpoint('digitalocean');
  const config = { host, port, token: FAKE_CREDENTIALS.digitalocean.token, deadline_s: opts.deadlineMs / 1000 };
  const child = spawn(found.python, [SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = lineReader(child);
  try {
    const hello = JSON.parse(await lines.next(30_000)) as { ready?: boolean; libcloud?: string; python?: string };
    if (!hello.ready) throw new Error('no greeting');
    let broken: Error | undefined;
    // After a failure (or a reply that did not come in time) the conversation is out of step: later commands fail.
    const ask = async (command: object, timeoutMs: number): Promise<Record<string, number | string>> => {
      if (broken) throw broken;
      try {
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const reply = JSON.parse(await lines.next(timeoutMs)) as Record<string, number | string>;
        if (typeof reply.error === 'string') throw new Error(`libcloud peer: ${reply.error}`);
        return reply;
      } catch (error) {
        broken = error as Error;
        throw error;
      }
    };
    // One call first: it fails fast when the driver cannot reach the fake cloud.
    await ask({ cmd: 'sequential', calls: 1 }, 30_000);
    return {
      available: true,
      label: `Apache Libcloud ${hello.libcloud} (Python ${hello.python}, ${found.python})`,
      async sequential(calls) {
        const r = await ask({ cmd: 'sequential', calls }, opts.deadlineMs + 30_000);
        return { usPerCall: Number(r.usPerCall), completed: Number(r.completed) };
      },
      async pool(ops, threads) {
        const r = await ask({ cmd: 'pool', ops, threads }, opts.deadlineMs + 30_000);
        const completed = Number(r.completed);
        return { wallMs: Number(r.wallMs), completed, truncated: completed < ops };
      },
      close: () => stop(child),
    };
  } catch (error) {
    await stop(child);
    return { available: false, note: `Libcloud rows skipped: the Libcloud peer (${found.python}) failed to start: ${(error as Error).message}${lines.stderr() ? ` — ${lines.stderr().slice(-300)}` : ''}` };
  }
}

function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin.end();
  });
}

/** Reads a child's stdout line by line, with a timeout per line; keeps the tail of its stderr for messages. */
function lineReader(child: ChildProcessWithoutNullStreams): { next(timeoutMs: number): Promise<string>; stderr(): string } {
  let buffer = '';
  let errors = '';
  const ready: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  let ended: Error | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (data: string) => {
    buffer += data;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.resolve(line);
      } else ready.push(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (data: string) => void (errors = (errors + data).slice(-4000)));
  const fail = (e: Error): void => {
    ended = e;
    waiting?.reject(e);
    waiting = undefined;
  };
  child.once('error', fail);
  child.once('exit', (code) => fail(new Error(`the Python process exited (${code})`)));
  return {
    stderr: () => errors.trim(),
    next(timeoutMs) {
      if (ready.length) return Promise.resolve(ready.shift()!);
      if (ended) return Promise.reject(ended);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting = {
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
      });
    },
  };
}
