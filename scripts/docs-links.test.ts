// The README is the front door and docs/ is behind it: every relative link of README.md and docs/*.md
// must reach a file, every #anchor a heading of its page (GitHub's heading ids), and every docs page
// must be reachable from the README. Also keeps the README short and its two commands as CI runs them.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(root, page), "utf8");

/** The page's text outside fenced code blocks and inline code spans, line by line. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "``");
  });
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m?.[1]) continue;
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

interface Link {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  proseLines(read(page)).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ page, line: i + 1, target });
    }
  });
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenReason(link: Link): string | undefined {
  const [path = "", anchor] = link.target.split("#");
  const file = path === "" ? join(root, link.page) : resolve(dirname(join(root, link.page)), path);
  if (!existsSync(file)) return `no file ${relative(root, file)}`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith(".md")) return `#${anchor} on a file that is not Markdown`;
  const ids = headingIds(readFileSync(file, "utf8"));
  return ids.has(anchor) ? undefined : `no heading #${anchor} in ${relative(root, file)}`;
}

describe("README.md and docs/", () => {
  it.each(pages)("%s: every relative link and #anchor resolves", (page) => {
    // Prepare
    const links = relativeLinks(page);
    // Act
    const broken = links.flatMap((l) => {
      const why = brokenReason(l);
      return why ? [`${l.page}:${l.line} (${l.target}): ${why}`] : [];
    });
    // Assess
    expect(broken).toEqual([]);
  });

  it("links every docs page from the README", () => {
    const linked = new Set(
      relativeLinks("README.md").map((l) => resolve(root, l.target.split("#")[0] ?? "")),
    );
    const unlinked = pages.filter((p) => p !== "README.md" && !linked.has(join(root, p)));
    expect(unlinked).toEqual([]);
  });

  it("keeps the README a short front door (at most 300 lines)", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(300);
  });

  it("shows the two commands first, the test command as .ci/run runs it", () => {
    const readme = read("README.md");
    const ci = readFileSync(join(root, ".ci/run"), "utf8");
    const run = "npm install && npm run dev     # run:";
    const test = "npm install && npm test        # test:";
    expect(ci).toContain("'npm install && npm test'");
    expect(readme).toContain(`\n${test}`);
    expect(readme.indexOf(run)).toBeLessThan(readme.indexOf(test));
    expect(readme.indexOf(test)).toBeLessThan(readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
  });

  it("names in 'Reading /metrics' exactly the metrics the code defines", () => {
    // Prepare: every metric name written as a string in src/ (wherever the report stage keeps them)
    const sources = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
    );
    const defined = new Set(
      sources.flatMap((f) => [...read(join("src", f)).matchAll(/"(gannet_[a-z_]+)"/g)].map((m) => m[1])),
    );
    // Act
    const readme = read("README.md");
    const section = readme.slice(
      readme.indexOf("### Reading /metrics"),
      readme.indexOf("\n## ", readme.indexOf("### Reading /metrics")),
    );
    const named = new Set([...section.matchAll(/`(gannet_[a-z_]+)/g)].map((m) => m[1]));
    // Assess
    expect(defined.size).toBeGreaterThan(10);
    expect([...named].sort()).toEqual([...defined].sort());
  });

  it("keeps the annotation table between its markers in docs/annotations.md", () => {
    const text = read("docs/annotations.md");
    const begin = text.split("<!-- annotations:begin -->").length - 1;
    const end = text.split("<!-- annotations:end -->").length - 1;
    expect([begin, end]).toEqual([1, 1]);
    const inside = text.slice(
      text.indexOf("<!-- annotations:begin -->"),
      text.indexOf("<!-- annotations:end -->"),
    );
    expect(inside).toMatch(/^\| `group\.name` /m);
  });
});

describe("headingIds", () => {
  it.each([
    ["## Orphans: `gannet gc`", "orphans-gannet-gc"],
    ["## In-cluster, with kubectl", "in-cluster-with-kubectl"],
    ["## Reading /metrics", "reading-metrics"],
    ["# DNS records, the ExternalDNS way", "dns-records-the-externaldns-way"],
    ["### Migrating from AWS LBC and ExternalDNS", "migrating-from-aws-lbc-and-externaldns"],
  ])("%s → #%s", (heading, id) => {
    expect(headingIds(heading)).toEqual(new Set([id]));
  });

  it("numbers repeated headings and ignores code blocks", () => {
    expect(headingIds("## Tests\n```sh\n# not a heading\n```\n## Tests\n")).toEqual(
      new Set(["tests", "tests-1"]),
    );
  });
});
