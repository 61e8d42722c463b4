// Lambda bundle shim: the parts of undici that @kubernetes/client-node imports (Agent, ProxyAgent,
// fetch), required from their own files. undici's index is CommonJS and loads everything (mock
// agents, caches, WebSocket, EventSource), which a bundler cannot tree-shake: this keeps ~half of it out.
"use strict";

const Dispatcher = require("undici/lib/dispatcher/dispatcher");
const api = require("undici/lib/api");
// As undici's index does: the request/stream helpers on every dispatcher.
Object.assign(Dispatcher.prototype, api);

const Agent = require("undici/lib/dispatcher/agent");
const ProxyAgent = require("undici/lib/dispatcher/proxy-agent");
const fetchImpl = require("undici/lib/web/fetch").fetch;

module.exports.Agent = Agent;
module.exports.ProxyAgent = ProxyAgent;
module.exports.Dispatcher = Dispatcher;
module.exports.fetch = function fetch(init, options = undefined) {
  return fetchImpl(init, options).catch((err) => {
    if (err && typeof err === "object") Error.captureStackTrace(err, module.exports.fetch);
    throw err;
  });
};
