// A tiny HTTP server for sync-mode tests, run in a worker thread (a sync call blocks the test's thread).
// Routes are keyed "ec2:<Action>" for form bodies with an Action, else "<METHOD> <pathname>". A route is
// { status, headers, body, mode }: mode "truncate" promises more bytes than it sends, "reset" destroys the socket.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let routes = {};
const log = [];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://127.0.0.1');
    const action = new URLSearchParams(body).get('Action');
    const key = action ? `ec2:${action}` : `${req.method} ${url.pathname}`;
    log.push({ key, method: req.method, url: req.url, body, authorization: req.headers.authorization ?? null });
    const route = routes[key];
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'not_found', message: `no scripted route ${key}` }));
      return;
    }
    if (route.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const payload = Buffer.from(route.body ?? '', 'utf8');
    if (route.mode === 'truncate') {
      res.writeHead(route.status ?? 200, { ...route.headers, 'content-length': String(payload.length + 100) });
      res.write(payload);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    res.writeHead(route.status ?? 200, { ...route.headers, 'content-length': String(payload.length) });
    res.end(payload);
  });
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));

parentPort.on('message', (msg) => {
  if (msg.type === 'routes') {
    routes = msg.routes;
    log.length = 0;
    parentPort.postMessage({ type: 'ok', id: msg.id });
  } else if (msg.type === 'log') {
    parentPort.postMessage({ type: 'log', id: msg.id, log: [...log] });
  } else if (msg.type === 'close') {
    server.closeAllConnections?.();
    server.close(() => parentPort.postMessage({ type: 'closed', id: msg.id }));
  }
});
