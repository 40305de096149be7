// Stands in, in the bundled entry points (scripts/build.mjs), for @apollo/utils.createhash, with
// which Apollo Server and Apollo Gateway hash each operation's document. That package takes Node's
// crypto only where `module.require` exists, which a bundled CommonJS module lacks, and otherwise
// hashes in JavaScript (sha.js): the same digests, computed slower.
const { createHash } = require('node:crypto');

exports.createHash = (kind) => createHash(kind);
