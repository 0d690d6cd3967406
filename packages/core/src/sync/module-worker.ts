/**
 * Starts a worker thread from a module that may be TypeScript (tests and `tsx` run from sources).
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker running `moduleUrl`. For a `.ts` URL the worker first registers tsx's loader
 * (Node 20 does not apply `--import` hooks to a worker's entry module), then imports the module.
 * For a `.js` URL it starts the file directly.
 */
export function startModuleWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (moduleUrl.pathname.endsWith('.ts')) {
    // tsx's CommonJS API entry cannot register ESM hooks from an import(); its .mjs twin can.
    const tsxApi = pathToFileURL(createRequire(moduleUrl).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
    return new Worker(code, { ...options, eval: true });
  }
  if (!existsSync(fileURLToPath(moduleUrl))) throw new Error(`worker module not found: ${fileURLToPath(moduleUrl)}`);
  return new Worker(moduleUrl, options);
}

/** The URL of a sibling module `name` (without extension), `.ts` when the caller runs from sources. */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}
