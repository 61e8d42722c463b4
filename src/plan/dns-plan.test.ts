import { describe, expect, it } from "vitest";
import type { RecordChange } from "../types/dns.ts";
import { keepOwnDeletions } from "./dns-plan.ts";

const alias = (dnsName: string) => ({ dnsName, hostedZoneId: "Z", evaluateTargetHealth: true });

describe("keepOwnDeletions", () => {
  it("keeps deletions of records aliased to this group's ALB, drops others with their TXT", () => {
    const changes: RecordChange[] = [
      {
        action: "DELETE",
        unit: "a",
        record: { name: "mine.example.com", type: "A", alias: alias("dualstack.Mine-1.elb.amazonaws.com.") },
      },
      {
        action: "DELETE",
        unit: "a",
        record: { name: "a-mine.example.com", type: "TXT", ttl: 300, values: ['"x"'] },
      },
      {
        action: "DELETE",
        unit: "b",
        record: { name: "moved.example.com", type: "A", alias: alias("other-1.elb.amazonaws.com") },
      },
      {
        action: "DELETE",
        unit: "b",
        record: { name: "a-moved.example.com", type: "TXT", ttl: 300, values: ['"y"'] },
      },
      {
        action: "CREATE",
        unit: "c",
        record: { name: "new.example.com", type: "A", alias: alias("other-1.elb.amazonaws.com") },
      },
    ];

    const kept = keepOwnDeletions(changes, new Set(["mine-1.elb.amazonaws.com"]));

    expect(kept.map((c) => `${c.action} ${c.record.name}`)).toEqual([
      "DELETE mine.example.com",
      "DELETE a-mine.example.com",
      "CREATE new.example.com",
    ]);
  });
  it("deletes a record aliased to an ALB that no longer exists (a dangling record is nobody's to keep)", () => {
    const changes: RecordChange[] = [
      {
        action: "DELETE",
        unit: "gone",
        record: {
          name: "gone.example.com",
          type: "A",
          alias: alias("dualstack.deleted-1.elb.amazonaws.com."),
        },
      },
      {
        action: "DELETE",
        unit: "moved",
        record: { name: "moved.example.com", type: "A", alias: alias("other-1.elb.amazonaws.com") },
      },
    ];

    const kept = keepOwnDeletions(changes, new Set(), new Set(["Other-1.elb.amazonaws.com"]));

    expect(kept.map((c) => `${c.action} ${c.record.name}`)).toEqual(["DELETE gone.example.com"]);
  });
});
