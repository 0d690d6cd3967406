/**
 * Temp URL checks, written once for every Swift backend (the fake cloud and real Swift): URLs made by
 * `getObjectCdnUrl` (in the sync style and each design) are fetched with plain `fetch`, with no credentials;
 * expired and tampered URLs are refused.
 */
import { randomBytes } from 'node:crypto';
import { expect, test } from '@jest/globals';
import { tempUrl, type OpenStackSwiftStorageDriver, type Provider, type StorageObject } from '@dualcloud/drivers/storage';
import { openStyled, STORAGE, STYLE_NAMES, type Styled } from '../../behaviour/helpers/styles.js';

/** A started Swift backend for these checks. */
export interface TempUrlBackend {
  readonly provider: Provider;
  /** Driver options (the suite sets the account's temp URL key itself). */
  options(): object;
}

type SwiftStyled = Styled<OpenStackSwiftStorageDriver>;

/** The storage URL a temp URL was made from (its object path and query removed). */
function storageUrlOf(url: string, container: string, object: string): string {
  const u = new URL(url);
  const suffix = `/${encodeURIComponent(container)}/${object.split('/').map(encodeURIComponent).join('/')}`;
  const path = u.pathname.endsWith(suffix) ? u.pathname.slice(0, -suffix.length) : u.pathname.replace(/\/[^/]+\/[^/]+$/, '');
  return `${u.origin}${path}`;
}

/** Declares the temp URL tests for `backend` (its tests share one container, made by the first). */
export function describeTempUrls(backend: () => TempUrlBackend): void {
  const key = `temp-url-key-${randomBytes(8).toString('hex')}`;
  const container = `tempurl-${randomBytes(4).toString('hex')}`;
  const name = 'dir/temp url ü.txt';
  const body = `temp url body ${randomBytes(4).toString('hex')}`;
  let obj: StorageObject | undefined;
  const open = (style: (typeof STYLE_NAMES)[number] = 'sync'): SwiftStyled => openStyled(STORAGE, style, backend().provider, backend().options()) as SwiftStyled;

  test('setup: set the account key, upload an object', async () => {
    const d = open();
    expect(await d.call('exSetAccountMetadataTempUrlKey', key)).toBe(true);
    const c = await d.call('createContainer', container);
    obj = await d.call('uploadObjectViaStream', body, c, name, { contentType: 'text/plain' });
  });

  test.each(STYLE_NAMES.map((s) => [s] as const))('%s: a GET temp URL is fetched with plain fetch, without credentials', async (style) => {
    const d = open(style);
    try {
      const url = await d.call('getObjectCdnUrl', obj!, { expiresIn: 300 });
      expect(url).toMatch(/[?&]temp_url_sig=[0-9a-f]{64}&temp_url_expires=\d+$/);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(body);
      expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    } finally {
      await d.close();
    }
  });

  test('sha1 and sha512 signatures work too', async () => {
    const d = open();
    for (const digest of ['sha1', 'sha512'] as const) {
      const res = await fetch(await d.call('getObjectCdnUrl', obj!, { digest }));
      expect([digest, res.status]).toEqual([digest, 200]);
      expect(await res.text()).toBe(body);
    }
  });

  test('a PUT temp URL uploads without credentials', async () => {
    const d = open();
    const target = { ...obj!, name: 'put via temp url.txt', container: obj!.container } as StorageObject;
    const url = await d.call('getObjectCdnUrl', target, { method: 'PUT' });
    const res = await fetch(url, { method: 'PUT', body: 'uploaded anonymously', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(201);
    const head = await d.call('getObject', container, 'put via temp url.txt');
    expect(head.size).toBe('uploaded anonymously'.length);
    // A GET URL does not allow PUT.
    const getUrl = await d.call('getObjectCdnUrl', target);
    expect((await fetch(getUrl, { method: 'PUT', body: 'nope' })).status).toBe(401);
  });

  test('expired and tampered URLs are refused (401)', async () => {
    const d = open();
    const url = await d.call('getObjectCdnUrl', obj!, { expiresIn: 300 });
    const base = storageUrlOf(url, container, name);
    const expired = tempUrl(base, container, name, 'GET', Math.floor(Date.now() / 1000) - 5, key, 'sha256');
    expect((await fetch(expired)).status).toBe(401);
    const still = tempUrl(base, container, name, 'GET', Math.floor(Date.now() / 1000) + 60, key, 'sha256');
    expect((await fetch(still)).status).toBe(200); // the same recipe with a future expiry works: only the expiry failed
    const u = new URL(url);
    const sig = u.searchParams.get('temp_url_sig')!;
    const flipped = new URL(url);
    flipped.searchParams.set('temp_url_sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    expect((await fetch(flipped)).status).toBe(401);
    const later = new URL(url);
    later.searchParams.set('temp_url_expires', String(Number(u.searchParams.get('temp_url_expires')) + 3600));
    expect((await fetch(later)).status).toBe(401);
    const otherObject = new URL(url.replace(encodeURIComponent('ü.txt'), encodeURIComponent('x.txt')));
    expect((await fetch(otherObject)).status).toBe(401);
    const wrongKey = tempUrl(base, container, name, 'GET', Math.floor(Date.now() / 1000) + 60, `${key}-wrong`, 'sha256');
    expect((await fetch(wrongKey)).status).toBe(401);
  });

  test('cleanup: objects and containers removed', async () => {
    const d = open();
    const c = await d.call('getContainer', container);
    for (const o of await d.call('listContainerObjects', c)) expect(await d.call('deleteObject', o)).toBe(true);
    expect(await d.call('deleteContainer', c)).toBe(true);
  });
}
