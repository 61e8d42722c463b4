// `npm run build:controller`: the controller image's one file, dist/gannet.mjs (with a source map).
// One bundle instead of node_modules: esbuild drops the AWS SDK code Gannet never calls (most of
// the EC2 client), and the process starts with about 80 MB less memory than the TypeScript sources.

import { build } from "esbuild";

const result = await build({
  entryPoints: [new URL("../src/runtime/cli.ts", import.meta.url).pathname],
  outfile: new URL("../dist/gannet.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  metafile: true,
  // Some dependencies are CommonJS and `require` Node's modules: give the ES module a `require`.
  banner: {
    js: "import { createRequire as __gannetRequire } from 'node:module'; const require = __gannetRequire(import.meta.url);",
  },
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/gannet.mjs and its source map: ${(bytes / 1048576).toFixed(1)} MiB`);
