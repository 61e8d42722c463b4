// `npm run bundle:lambda`: the Lambda function's code, one ES module for the nodejs24.x runtime.
//
// dist/lambda/index.mjs (handler `index.handler`) with its source map, tree-shaken and minified.
// The bundle is plain JavaScript with no native module, so the same file runs on arm64 (Graviton,
// the cheaper choice) and x86_64. The AWS SDK is bundled rather than taken from the runtime, so the
// function runs the SDK versions the tests ran.

import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const defaultOutdir = join(root, "dist", "lambda");

// Two libraries a bundler cannot shake on its own, trimmed to what the handler runs:
//   - undici (CommonJS, so all or nothing): client-node gets a shim exporting the three names it imports;
//   - zod's error-message translations (`z.locales`, every language, never used: English is built in).
const trim: Plugin = {
  name: "gannet-trim",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.includes("@kubernetes/client-node")
        ? { path: join(root, "scripts", "lambda-shims", "undici.cjs") }
        : undefined,
    );
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: "zod-locales", namespace: "gannet-empty" }
        : undefined,
    );
    // undici's Milo HTTP parser is opt-in (`useMilo`), and client-node never opts in: its two WASM builds stay out.
    b.onResolve({ filter: /milo[\\/](simd|no-simd)\.js$/ }, (args) =>
      /undici/.test(args.importer) ? { path: "milo", namespace: "gannet-no-milo" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "gannet-no-milo" }, () => ({
      contents: 'throw new Error("undici\'s Milo parser is not in the Gannet Lambda bundle");',
      loader: "js",
    }));
    b.onLoad({ filter: /.*/, namespace: "gannet-empty" }, () => ({ contents: "export {};", loader: "js" }));
    // client-node's modules only declare things (its index re-exports exec, attach, cp and port-forward,
    // which pull in WebSocket, tar and SOCKS code): side-effect free, so what the handler never calls goes.
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (!/@kubernetes[\\/]client-node[\\/]dist/.test(args.importer) || args.pluginData === "gannet") return;
      const r = await b.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: "gannet",
      });
      return r.errors.length > 0 || /polyfill/.test(r.path) ? undefined : { ...r, sideEffects: false };
    });
  },
};

/** Builds the bundle (into dist/lambda unless told otherwise); returns its file and size in bytes. */
export async function bundleLambda(outdir = defaultOutdir): Promise<{ file: string; bytes: number }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, "src", "runtime", "lambda.ts")],
    outfile: join(outdir, "index.mjs"),
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    mainFields: ["module", "main"],
    minify: true,
    treeShaking: true,
    sourcemap: true,
    sourcesContent: false,
    charset: "utf8",
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
    plugins: [trim],
    // Some dependencies are CommonJS and call require() for Node built-ins: give the ES module one.
    banner: {
      js: "import { createRequire as __gannetCreateRequire } from 'node:module'; const require = __gannetCreateRequire(import.meta.url);",
    },
  });
  writeFileSync(join(outdir, "meta.json"), JSON.stringify(result.metafile));
  const file = join(outdir, "index.mjs");
  return { file, bytes: statSync(file).size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { file, bytes } = await bundleLambda();
  console.log(
    `lambda bundle: ${file} ${(bytes / 1024 / 1024).toFixed(2)} MiB (handler index.handler, nodejs24.x, arm64 or x86_64)`,
  );
}
