/**
 * Global teardown of the `openstack` jest project: stops the servers the global setup started, the short-lived
 * Keystone + Swift pair included (each script's `stop DIR` form, which ends the processes recorded in
 * DIR/run/*.pid) and removes their scratch directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Self-contained (node modules only): jest loads global setup and teardown modules outside its module map.
const SERVERS_ENV = 'DUALCLOUD_OPENSTACK_SERVERS'; // as in global-setup.ts
const TOOLS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../.ci/tools');

function stop(script: string, dir: string): Promise<void> {
  return new Promise((resolve) => {
    if (!existsSync(dir)) return resolve();
    execFile(join(TOOLS_DIR, script), ['stop', dir], { timeout: 60_000 }, () => resolve());
  });
}

export default async function globalTeardown(): Promise<void> {
  const file = process.env[SERVERS_ENV];
  if (!file || !existsSync(file)) return;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { root: string };
  // Each Swift behind a Keystone first (its auth middleware talks to Keystone), then the others.
  await Promise.all([stop('start-swift.sh', join(doc.root, 'swift-keystone')), stop('start-swift.sh', join(doc.root, 'swift-short'))]);
  await Promise.all([stop('start-swift.sh', join(doc.root, 'swift')), stop('start-keystone.sh', join(doc.root, 'keystone')), stop('start-keystone.sh', join(doc.root, 'keystone-short'))]);
  rmSync(doc.root, { recursive: true, force: true });
}
