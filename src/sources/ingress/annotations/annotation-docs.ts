// Model stage (documentation): the annotation tables of docs/annotations.md, rendered from the registry
// (annotation-registry.ts). `npm run docs:annotations` writes them between the markers; a unit test fails
// when the page drifts from the registry.

import { ANNOTATION_PREFIX } from "../../../model/problems.ts";
import {
  ALB_ANNOTATIONS,
  type AnnotationSpec,
  EXTERNAL_DNS_ANNOTATIONS,
  EXTERNAL_DNS_PREFIXES,
  KUBERNETES_ANNOTATIONS,
} from "./annotation-registry.ts";

/** The markers around the generated part of docs/annotations.md. */
export const DOCS_BEGIN = "<!-- annotations:begin -->";
export const DOCS_END = "<!-- annotations:end -->";

const HEADER = ["Annotation", "Gannet", "Read from", "Scope", "Notes"] as const;

/** One table row: consecutive entries that read the same share it (`waf-acl-id`, `web-acl-id`). */
function rowsOf(registry: Readonly<Record<string, AnnotationSpec>>): string[][] {
  const rows: { specs: AnnotationSpec[]; key: string }[] = [];
  for (const spec of Object.values(registry)) {
    const key = JSON.stringify([spec.status, spec.on, spec.scope, spec.notes]);
    const last = rows.at(-1);
    if (last?.key === key) last.specs.push(spec);
    else rows.push({ specs: [spec], key });
  }
  return rows.map(({ specs: [first, ...rest] }) => {
    const spec = first as AnnotationSpec;
    const names = [spec, ...rest].map((s) => `\`${s.name}\``).join(", ");
    return [names, spec.status, spec.on?.join(", ") ?? "", spec.scope ?? "", spec.notes];
  });
}

/** A Markdown table with its columns padded to equal widths. */
function renderTable(rows: readonly string[][]): string {
  const all = [[...HEADER], ...rows].map((r) => r.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? "").padEnd(w)).join(" | ")} |`;
  const [header = [], ...body] = all;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}

/** The generated part of docs/annotations.md, markers excluded. */
export function renderAnnotationDocs(): string {
  const [current, alpha] = EXTERNAL_DNS_PREFIXES;
  return [
    `### AWS Load Balancer Controller: \`${ANNOTATION_PREFIX}\``,
    "",
    renderTable(rowsOf(ALB_ANNOTATIONS)),
    "",
    `### ExternalDNS: \`${current}\` (or \`${alpha}\`)`,
    "",
    "Names under either prefix; an annotation under both is read from the first.",
    "",
    renderTable(rowsOf(EXTERNAL_DNS_ANNOTATIONS)),
    "",
    "### Kubernetes",
    "",
    renderTable(rowsOf(KUBERNETES_ANNOTATIONS)),
  ].join("\n");
}

/** `doc` with the text between the markers replaced by `generated`; undefined when a marker is missing. */
export function replaceGenerated(doc: string, generated: string): string | undefined {
  const begin = doc.indexOf(DOCS_BEGIN);
  const end = doc.indexOf(DOCS_END);
  if (begin < 0 || end < begin) return undefined;
  return `${doc.slice(0, begin + DOCS_BEGIN.length)}\n${generated}\n${doc.slice(end)}`;
}
