// An HTTP server with scripted reply *sequences*, for sync-style tests (run in a worker thread: a sync call
// blocks the test's thread). A route key is "<METHOD> <pathname>[?<conditions>][ <range>]": conditions are
// query parameters the request must carry (`uploadId` = present, `partNumber=2` = that value), and <range> must
// equal the Range (or x-ms-range) header. The most specific matching route wins. Each request takes the next
// reply of its route; the last reply repeats. A reply is { status, headers, body (utf8) | bodyBase64,
// echoMd5 (ETag = quoted MD5 of the request body), mode: 'reset' | 'truncate' }.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let routes = {};
let log = [];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://127.0.0.1');
    const range = req.headers['x-ms-range'] ?? req.headers.range;
    const key = match(req.method, url, range) ?? `${req.method} ${url.pathname}`;
    log.push({
      key,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      bodyLength: body.length,
      bodyMd5: createHash('md5').update(body).digest('hex'),
    });
    const replies = routes[key];
    if (!replies || replies.length === 0) {
      res.writeHead(501, { 'content-type': 'text/plain' });
      res.end(`no scripted route ${key}`);
      return;
    }
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    if (reply.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const payload = reply.bodyBase64 !== undefined ? Buffer.from(reply.bodyBase64, 'base64') : Buffer.from(reply.body ?? '', 'utf8');
    const headers = { ...reply.headers };
    if (reply.echoMd5) headers.etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const noBody = req.method === 'HEAD' || reply.status === 204 || reply.status === 304;
    if (reply.mode === 'truncate') {
      res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(payload.length + 100) });
      res.write(payload);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    res.writeHead(reply.status ?? 200, { ...headers, ...(noBody ? {} : { 'content-length': String(payload.length) }) });
    res.end(noBody ? undefined : payload);
  });
});

/** The key of the most specific route matching a request, or undefined. */
function match(method, url, range) {
  let best;
  let bestScore = -1;
  for (const key of Object.keys(routes)) {
    const m = /^(\S+) ([^?\s]+)(?:\?(\S*))?(?: (.+))?$/.exec(key);
    if (!m || m[1] !== method || m[2] !== url.pathname) continue;
    if (m[4] !== undefined && m[4] !== range) continue;
    const conditions = m[3] ? m[3].split('&') : [];
    const ok = conditions.every((c) => {
      const [name, value] = c.split('=');
      return url.searchParams.has(name) && (value === undefined || url.searchParams.get(name) === value);
    });
    if (!ok) continue;
    // A condition with a value is more specific than one asking only for presence.
    const score = conditions.reduce((n, c) => n + (c.includes('=') ? 2 : 1), 0) + (m[4] !== undefined ? 100 : 0);
    if (score > bestScore) {
      best = key;
      bestScore = score;
    }
  }
  return best;
}

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));

parentPort.on('message', (msg) => {
  if (msg.type === 'routes') {
    routes = msg.routes;
    log = [];
    parentPort.postMessage({ type: 'ok', id: msg.id });
  } else if (msg.type === 'log') {
    parentPort.postMessage({ type: 'log', id: msg.id, log });
  } else if (msg.type === 'close') {
    server.closeAllConnections?.();
    server.close(() => parentPort.postMessage({ type: 'closed', id: msg.id }));
  }
});
