// Stands in for `debug` in the Lambda bundles (lib/functions.ts): axios's redirect and proxy
// helpers (follow-redirects, https-proxy-agent) log through it only when the DEBUG variable
// names them, which a deployed function never sets; the real package and its terminal colour
// detection are ~10 KB of send's bundle.
function createDebug() {
  const log = () => {};
  log.enabled = false;
  log.extend = createDebug;
  return log;
}
createDebug.enable = () => {};
createDebug.disable = () => '';
createDebug.enabled = () => false;
module.exports = createDebug;
module.exports.default = createDebug;
