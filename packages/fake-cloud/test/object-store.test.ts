import { describe, expect, test } from '@jest/globals';
import { compareKeys, ObjectStore } from '../src/object-store.js';

const meta = { contentType: 'text/plain', headers: {}, metadata: {} };

describe('object store', () => {
  test('compareKeys orders like UTF-8 bytes, astral characters included', () => {
    const alphabet = ['a', 'z', '/', ' ', 'é', '\u00ff', '\ue000', '\uffff', '😀', '𝄞', '0'];
    const keys: string[] = [];
    let seed = 7;
    for (let i = 0; i < 300; i += 1) {
      let k = '';
      for (let j = 0; j < 1 + (i % 4); j += 1) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        k += alphabet[seed % alphabet.length];
      }
      keys.push(k);
    }
    const bytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...keys].sort(compareKeys)).toEqual(bytes);
  });

  test('listing rolls keys up under the delimiter and resumes after a common prefix', () => {
    const store = new ObjectStore(() => ({ maxObjectBytes: 1e6, maxTotalBytes: 1e7, maxBuckets: 10, minPartSize: 1 }));
    store.createBucket('b', 'us-east-1', 0);
    for (const k of ['p/a/1', 'p/a/2', 'p/b', 'p/c/1', 'q']) store.putObject('b', k, Buffer.from(k), meta, 0);
    const names = (after: string, maxKeys: number) =>
      store.list('b', { prefix: 'p/', delimiter: '/', maxKeys, after }).entries.map((e) => (e.kind === 'object' ? e.object.key : e.prefix));
    expect(names('', 10)).toEqual(['p/a/', 'p/b', 'p/c/']);
    expect(names('p/a/', 10)).toEqual(['p/b', 'p/c/']);
    expect(store.list('b', { prefix: 'p/', delimiter: '/', maxKeys: 1, after: '' }).truncated).toBe(true);
    expect(names('', 0)).toEqual([]);
  });

  test('deleting and replacing objects keeps the stored byte count exact', () => {
    const store = new ObjectStore(() => ({ maxObjectBytes: 1e6, maxTotalBytes: 1e7, maxBuckets: 10, minPartSize: 1 }));
    store.createBucket('b', 'us-east-1', 0);
    store.putObject('b', 'k', Buffer.alloc(100), meta, 0);
    const one = store.storedBytes;
    store.putObject('b', 'k', Buffer.alloc(100), meta, 0);
    expect(store.storedBytes).toBe(one);
    const u = store.initiate('b', 'm', meta, 0);
    const part = store.uploadPart('b', 'm', u.id, 1, Buffer.alloc(10), 0);
    store.complete('b', 'm', u.id, [{ partNumber: 1, etag: part.etag }], 0);
    store.deleteObject('b', 'm');
    store.deleteObject('b', 'k');
    expect(store.storedBytes).toBe(0);
  });
});
