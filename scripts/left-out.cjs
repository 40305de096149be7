// Stands in, in the bundled entry points (scripts/build.mjs), for the modules of Apollo's
// usage reporting, which the hub turns off: nothing of them is used, so nothing is loaded.
module.exports = {};
