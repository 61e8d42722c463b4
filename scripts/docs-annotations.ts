// `npm run docs:annotations`: rewrites the generated tables of docs/annotations.md from the annotation
// registry (src/sources/ingress/annotations/annotation-registry.ts). The unit test src/sources/ingress/annotations/annotation-docs.test.ts fails when
// they differ.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DOCS_BEGIN,
  DOCS_END,
  renderAnnotationDocs,
  replaceGenerated,
} from "../src/sources/ingress/annotations/annotation-docs.ts";

const path = fileURLToPath(new URL("../docs/annotations.md", import.meta.url));
const before = readFileSync(path, "utf8");
const after = replaceGenerated(before, renderAnnotationDocs());
if (after === undefined) {
  console.error(`${path} has no ${DOCS_BEGIN} … ${DOCS_END} markers: add them where the tables go`);
  process.exit(1);
}
if (after === before) console.log(`${path} is up to date`);
else {
  writeFileSync(path, after);
  console.log(`${path} rewritten from the annotation registry`);
}
