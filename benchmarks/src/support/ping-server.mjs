// A loopback HTTP server in a child process (the sync mode blocks the benchmark's thread).
// GET /ping -> small JSON. Prints its port on stdout; exits when stdin closes.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true, items: [1, 2, 3] }));
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
