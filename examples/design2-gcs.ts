/**
 * Design 2 with Google Storage (the seed's second snippet): iterate the containers and their objects with the
 * `*Async` twins, and process the objects concurrently, at most 4 at a time.
 */
import { createHash } from 'node:crypto';
import { getDriver, Provider } from '@dualcloud/async-methods/storage';
import { gcs, mapConcurrent, readAll, unique, withCloud, type ExampleOptions } from './lib/common.js';

/** One processed object. */
export interface ProcessedObject {
  container: string;
  name: string;
  bytes: number;
  sha256: string;
}

/** What the example processed. */
export interface GcsResult {
  containers: string[];
  objects: ProcessedObject[];
  maxInFlight: number;
  limit: number;
}

const LIMIT = 4;

/** Runs the example on the fake cloud (`options.cloud`, or one started for it); resolves to the processed objects. */
export async function main(options: ExampleOptions = {}): Promise<GcsResult> {
  const log = options.log ?? console.log;
  return withCloud(options, { latency: 10 }, async (cloud) => {
    const GCS = getDriver(Provider.GOOGLE_STORAGE);
    const driver = new GCS({ ...gcs(), ...cloud.endpoint('google_storage') });

    // Seed with the sync methods of the same instance.
    const prefix = `d2-${unique()}-`;
    for (const name of ['photos', 'logs', 'backups']) {
      const container = driver.createContainer(`${prefix}${name}`);
      for (let i = 0; i < 5; i++) driver.uploadObjectViaStream(`${name} item ${i}\n`.repeat(100 + i), container, `${name}/${i}.txt`);
    }

    // Lazily walk every container and its objects...
    async function* objectsToProcess() {
      for await (const container of driver.iterateContainersAsync()) {
        if (!container.name.startsWith(prefix)) continue;
        for await (const obj of driver.iterateContainerObjectsAsync(container)) yield obj;
      }
    }
    // ...and process them concurrently, bounded.
    const { results, maxInFlight } = await mapConcurrent(objectsToProcess(), LIMIT, async (obj) => {
      const body = await readAll(driver.downloadObjectAsStreamAsync(obj));
      return { container: obj.container.name, name: obj.name, bytes: body.byteLength, sha256: createHash('sha256').update(body).digest('hex') };
    });
    for (const o of results) log(`${o.container}/${o.name}: ${o.bytes} bytes, sha256 ${o.sha256.slice(0, 12)}…`);
    log(`${results.length} objects processed, at most ${maxInFlight} at once (limit ${LIMIT})`);
    return { containers: [...new Set(results.map((o) => o.container))], objects: results, maxInFlight, limit: LIMIT };
  });
}
