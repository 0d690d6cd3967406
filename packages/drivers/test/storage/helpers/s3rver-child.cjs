// Runs s3rver on 127.0.0.1 (free port) with a temporary directory; prints the port, stops when stdin ends.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const S3rver = require('s3rver');

const directory = mkdtempSync(join(tmpdir(), 'dualcloud-s3rver-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
server.run().then(
  (address) => process.stdout.write(`${address.port}\n`),
  (error) => {
    process.stderr.write(`s3rver failed: ${error}\n`);
    process.exit(1);
  },
);
function stop() {
  server.close().finally(() => {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  });
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
