/**
 * Design 3 with Google Storage (the seed's second snippet): the same walk with a driver constructed with
 * `async: true`; the models' own methods (`container.iterateObjects()`, `obj.asStream()`) are async too.
 */
import { createHash } from 'node:crypto';
import { getDriver, Provider } from '@dualcloud/async-mode/storage';
import { gcs, mapConcurrent, readAll, unique, withCloud, type ExampleOptions } from './lib/common.js';
import type { GcsResult } from './design2-gcs.js';

const LIMIT = 4;

/** Runs the example on the fake cloud (`options.cloud`, or one started for it); resolves to the processed objects. */
export async function main(options: ExampleOptions = {}): Promise<GcsResult> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const GCS = getDriver(Provider.GOOGLE_STORAGE);
    const endpoint = { ...gcs(), ...cloud.endpoint('google_storage') };

    // Seed with a sync-mode instance of the same class (no flag: plain values).
    const prefix = `d3-${unique()}-`;
    const seeder = new GCS(endpoint);
    for (const name of ['photos', 'logs', 'backups']) {
      const container = seeder.createContainer(`${prefix}${name}`);
      for (let i = 0; i < 5; i++) seeder.uploadObjectViaStream(`${name} item ${i}\n`.repeat(100 + i), container, `${name}/${i}.txt`);
    }

    const driver = new GCS({ ...endpoint, async: true });
    async function* objectsToProcess() {
      for await (const container of driver.iterateContainers()) {
        if (!container.name.startsWith(prefix)) continue;
        for await (const obj of container.iterateObjects()) yield obj;
      }
    }
    const { results, maxInFlight } = await mapConcurrent(objectsToProcess(), LIMIT, async (obj) => {
      const body = await readAll(obj.asStream());
      return { container: obj.container.name, name: obj.name, bytes: body.byteLength, sha256: createHash('sha256').update(body).digest('hex') };
    });
    for (const o of results) log(`${o.container}/${o.name}: ${o.bytes} bytes, sha256 ${o.sha256.slice(0, 12)}…`);
    log(`${results.length} objects processed, at most ${maxInFlight} at once (limit ${LIMIT})`);
    return { containers: [...new Set(results.map((o) => o.container))], objects: results, maxInFlight, limit: LIMIT };
  });
}
