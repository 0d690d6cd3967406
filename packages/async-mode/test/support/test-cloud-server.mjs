// A tiny stateful JSON cloud run in a child process (sync calls block the test's thread, so the server must
// live elsewhere). Prints its port on stdout; exits when stdin closes. Every request needs
// `authorization: Bearer good`; `x-latency-ms` delays the response. Routes:
//   GET /nodes, POST /nodes {name, bootMs}, POST /nodes/:id/reboot, DELETE /nodes/:id
//   GET /buckets?token=, PUT|GET|DELETE /buckets/:b, GET /buckets/:b/objects?token=
//   PUT|GET|HEAD|DELETE /buckets/:b/objects/:name (GET takes ?offset=&length=)
//   GET /stats -> {requests, maxConcurrent}
import http from 'node:http';

const nodes = new Map();
const buckets = new Map();
let nextId = 1;
let requests = 0;
let active = 0;
let maxConcurrent = 0;

const json = (res, status, body) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};
const notFound = (res, what) => json(res, 404, { code: 'NotFound', message: `${what} not found` });
const nodeJson = (n) => ({ id: n.id, name: n.name, state: Date.now() >= n.readyAt ? 'running' : 'pending', ip: n.ip });
const PAGE = { buckets: 2, objects: 3 };
function page(items, token, size) {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

function route(req, res, body) {
  const url = new URL(req.url, 'http://x');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const m = req.method;
  if (parts[0] === 'stats') return json(res, 200, { requests, maxConcurrent });
  if (req.headers.authorization !== 'Bearer good') return json(res, 401, { code: 'Unauthorized', message: 'bad token' });
  if (parts[0] === 'nodes') {
    if (parts.length === 1 && m === 'GET') return json(res, 200, { nodes: [...nodes.values()].map(nodeJson) });
    if (parts.length === 1 && m === 'POST') {
      const { name, bootMs = 0 } = JSON.parse(body.toString() || '{}');
      const id = String(nextId++);
      const n = { id, name, readyAt: Date.now() + bootMs, ip: `10.0.0.${id}` };
      nodes.set(id, n);
      return json(res, 201, nodeJson(n));
    }
    const n = nodes.get(parts[1]);
    if (!n) return notFound(res, `node ${parts[1]}`);
    if (parts[2] === 'reboot' && m === 'POST') return json(res, 200, { ok: true });
    if (parts.length === 2 && m === 'DELETE') {
      nodes.delete(n.id);
      return json(res, 200, { ok: true });
    }
  }
  if (parts[0] === 'buckets') {
    if (parts.length === 1) return json(res, 200, page([...buckets.keys()].sort().map((name) => ({ name })), url.searchParams.get('token'), PAGE.buckets));
    const bucket = buckets.get(parts[1]);
    if (parts.length === 2) {
      if (m === 'PUT') {
        if (!bucket) buckets.set(parts[1], new Map());
        return json(res, 200, { name: parts[1] });
      }
      if (!bucket) return notFound(res, `bucket ${parts[1]}`);
      if (m === 'GET') return json(res, 200, { name: parts[1] });
      if (m === 'DELETE') {
        buckets.delete(parts[1]);
        return json(res, 200, { ok: true });
      }
    }
    if (!bucket) return notFound(res, `bucket ${parts[1]}`);
    if (parts.length === 3) {
      const items = [...bucket.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, data]) => ({ name, size: data.length }));
      return json(res, 200, page(items, url.searchParams.get('token'), PAGE.objects));
    }
    const name = parts.slice(3).join('/');
    if (m === 'PUT') {
      bucket.set(name, body);
      return json(res, 200, { name, size: body.length });
    }
    const data = bucket.get(name);
    if (!data) return notFound(res, `object ${name}`);
    if (m === 'HEAD') {
      res.setHeader('x-size', String(data.length));
      return res.end();
    }
    if (m === 'DELETE') {
      bucket.delete(name);
      return json(res, 200, { ok: true });
    }
    if (m === 'GET') {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const length = Number(url.searchParams.get('length') ?? data.length);
      res.setHeader('content-type', 'application/octet-stream');
      return res.end(data.subarray(offset, offset + length));
    }
  }
  return json(res, 400, { code: 'BadRoute', message: `${m} ${url.pathname}` });
}

const server = http.createServer((req, res) => {
  requests++;
  active++;
  maxConcurrent = Math.max(maxConcurrent, active);
  res.on('close', () => active--);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const latency = Number(req.headers['x-latency-ms'] ?? 0);
    const go = () => route(req, res, Buffer.concat(chunks));
    if (latency > 0) setTimeout(go, latency);
    else go();
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.resume();
process.stdin.on('end', () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
});
