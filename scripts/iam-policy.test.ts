import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requiredActions } from "../infra/lib/iam-actions.ts";
import {
  buildStaticIamPolicy,
  CLUSTER_PRINCIPAL_TAG,
  IAM_POLICY_COMMAND,
  IAM_POLICY_PATH,
  MANAGED_POLICY_MAX_CHARS,
  renderStaticIamPolicy,
} from "./iam-policy.ts";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const fileText = readFileSync(new URL(`../${IAM_POLICY_PATH}`, import.meta.url), "utf8");
const statements = (JSON.parse(fileText) as { Statement: Statement[] }).Statement;
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe(IAM_POLICY_PATH, () => {
  it("is what the CDK's policy builder gives today", () => {
    // Prepare
    const expected = renderStaticIamPolicy();
    // Act
    const inSync = fileText === expected;
    // Assess
    expect(
      inSync,
      `${IAM_POLICY_PATH} drifted from infra/lib/gannet-policy.ts: run ${IAM_POLICY_COMMAND}`,
    ).toBe(true);
  });

  it("grants exactly the actions the in-cluster controller's code calls", () => {
    const granted = [...new Set(statements.flatMap((s) => list(s.Action)))].sort();
    expect(granted).toEqual(requiredActions("in-cluster"));
  });

  it("fits in one IAM managed policy (aws iam create-policy)", () => {
    expect(fileText.replace(/\s/g, "").length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
  });

  it("compares every ownership tag with the role's own gannet.io/cluster tag, never a literal cluster", () => {
    const tagValues = statements.flatMap((s) =>
      Object.values(s.Condition ?? {}).flatMap((c) =>
        Object.entries(c)
          .filter(([key]) => /^aws:(Request|Resource)Tag\/gannet\.io\/cluster$/.test(key))
          .map(([, value]) => value),
      ),
    );
    expect(tagValues.length).toBeGreaterThanOrEqual(9);
    expect(new Set(tagValues)).toEqual(new Set([`\${aws:PrincipalTag/${CLUSTER_PRINCIPAL_TAG}}`]));
  });

  it("holds no CloudFormation token, account id or region, and no statement id", () => {
    expect(fileText).not.toMatch(/Fn::|"Ref"|\$\{Token|\d{12}|us-east-1|"Sid"/);
    expect(buildStaticIamPolicy()).toEqual(JSON.parse(fileText));
  });
});
