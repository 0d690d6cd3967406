// A tiny HTTP server run in a child process (the sync mode blocks the test's thread, so the server
// must live elsewhere). Prints its port on stdout. Routes:
//   /echo        -> JSON {method, url, headers, bodyLength}
//   /status/N    -> status N with an XML error body; ?retryAfter=S adds Retry-After
//   /leak        -> 400 whose message echoes the Authorization header
//   /flaky/KEY/N -> 503 for the first N calls per KEY, then 200 {attempts}
//   /bytes/N     -> N bytes (deterministic pattern)
//   /truncate    -> promises 100 bytes, sends 10, then closes
//   /stall       -> headers, then nothing
//   /slow/MS     -> 200 after MS milliseconds
//   ?closeAfter=MS (any route) -> the connection stays keep-alive in the reply, but the server ends it MS
//                   milliseconds later (an idle timeout shorter than advertised, as load balancers have)
import http from 'node:http';
import { createHash } from 'node:crypto';

const counts = new Map();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    res.setHeader('x-remote-port', String(req.socket.remotePort));
    const closeAfter = url.searchParams.get('closeAfter');
    if (closeAfter) res.on('finish', () => setTimeout(() => req.socket.end(), Number(closeAfter)));
    if (parts[0] === 'echo') {
      const json = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length, md5: createHash('md5').update(body).digest('hex') });
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', String(Buffer.byteLength(json))); // a HEAD reply must say it too, to stay keep-alive
      res.end(json);
    } else if (parts[0] === 'status') {
      const status = Number(parts[1]);
      const retryAfter = url.searchParams.get('retryAfter');
      if (retryAfter) res.setHeader('retry-after', retryAfter);
      res.statusCode = status;
      res.setHeader('content-type', 'application/xml');
      res.end(`<?xml version="1.0"?><Error><Code>Code${status}</Code><Message>status ${status}</Message></Error>`);
    } else if (parts[0] === 'leak') {
      // A misbehaving provider that echoes the Authorization header in its error message.
      res.statusCode = 400;
      res.end(`<Error><Code>Leak</Code><Message>you sent ${req.headers.authorization}</Message></Error>`);
    } else if (parts[0] === 'flaky') {
      const key = parts[1];
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      if (n < Number(parts[2])) {
        res.statusCode = 503;
        res.end('<Error><Code>ServiceUnavailable</Code></Error>');
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ attempts: n + 1 }));
      }
    } else if (parts[0] === 'bytes') {
      const n = Number(parts[1]);
      const buf = Buffer.alloc(n);
      for (let i = 0; i < n; i++) buf[i] = i % 251;
      res.setHeader('content-length', String(n));
      res.end(buf);
    } else if (parts[0] === 'truncate') {
      res.setHeader('content-length', '100');
      res.write('0123456789');
      setTimeout(() => res.socket.destroy(), 20);
    } else if (parts[0] === 'slow') {
      setTimeout(() => res.end('slow'), Number(parts[1]));
    } else if (parts[0] === 'stall') {
      res.writeHead(200, { 'content-length': '10' });
      res.flushHeaders();
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
