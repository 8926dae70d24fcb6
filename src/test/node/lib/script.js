'use strict';
// What every client script shares: its inputs come from environment variables, its one result goes to stdout as a
// single JSON line, and what it sent is observed through Node's HTTP diagnostics channel, so the client libraries
// themselves stay unmodified. Header values are never recorded, only which scheme or header was present.
const diagnostics = require('node:diagnostics_channel');

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

function observeRequests() {
  const sent = [];
  diagnostics.channel('http.client.request.start').subscribe(({ request }) => {
    const authorization = request.getHeader('authorization');
    sent.push({
      method: request.method,
      path: request.path,
      authorization_scheme: authorization ? String(authorization).split(' ')[0] : null,
      content_type: request.getHeader('content-type') || null,
      identity_header: request.getHeader('x-identity-header') !== undefined,
    });
  });
  return sent;
}

/** Runs main(), prints its result as one JSON line; an exception the script did not expect exits non-zero. */
function run(main) {
  main().then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error) => {
      process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
      process.exitCode = 2;
    });
}

module.exports = { required, observeRequests, run };
