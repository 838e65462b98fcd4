'use strict';
// Starts s3rver for the BackupTools tests.
//   node --openssl-legacy-provider server.js --directory <folder> [--port <n>]
// s3rver 3.7.1 signs list continuation tokens with DES, which OpenSSL 3 (Node 17+) keeps in its legacy
// provider: without the flag every truncated listing (more than 1000 keys) fails with InternalError.
// Port 0 (the default) lets the OS pick a free loopback port. Prints one line "ready <port>" once
// listening, then stays quiet; it keeps running after the process that started it exits.
const S3rver = require('s3rver');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// The starting process may close our stdout once it has read the ready line: never die of EPIPE.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

try {
  require('crypto').createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
} catch (err) {
  process.stderr.write(`s3rver needs DES for list continuation tokens (${err.message}): run node with --openssl-legacy-provider\n`);
  process.exit(2);
}

const directory = option('--directory');
if (!directory) {
  process.stderr.write('usage: node server.js --directory <folder> [--port <n>]\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(option('--port', '0')),
  directory,
  silent: true,
});

server.run().then(
  (address) => process.stdout.write(`ready ${address.port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err.message}\n`);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
