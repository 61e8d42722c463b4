import { describe, expect, it } from "vitest";
import { parseLambdaEvent } from "./lambda-event.ts";

const scheduled = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2026-05-04T10:21:00Z",
  region: "eu-west-1",
  resources: ["arn:aws:events:eu-west-1:123456789012:rule/gannet-every-minute"],
  detail: {},
};

describe("parseLambdaEvent", () => {
  it.each([
    ["an EventBridge schedule rule event", scheduled, { mode: "changed" }],
    [
      "an EventBridge Scheduler event",
      { ...scheduled, source: "aws.scheduler", detail: undefined },
      { mode: "changed" },
    ],
    [
      "a schedule event asking for the resync",
      { ...scheduled, detail: { resync: true } },
      { mode: "resync" },
    ],
    ["the constant input of a resync schedule", { resync: true }, { mode: "resync" }],
    ["an empty object", {}, { mode: "changed" }],
    ["no event at all", null, { mode: "changed" }],
    [
      "an on-demand invocation naming groups (duplicates dropped)",
      { groups: ["shop", "team-a/web", "shop"] },
      { mode: "groups", groups: ["shop", "team-a/web"] },
    ],
    ["a watch window of its own", { watchSeconds: 0 }, { mode: "changed", watchSeconds: 0 }],
  ])("reads %s", (_, event, request) => {
    expect(parseLambdaEvent(event)).toEqual({ ok: true, request });
  });

  it.each([
    ["a misspelt field", { group: ["shop"] }, 'event: unknown field(s) "group"'],
    [
      "groups that is not a list",
      { groups: "shop" },
      'event.groups: must be a list of group keys; got "shop"',
    ],
    ["an empty group list", { groups: [] }, "event.groups: must name at least one group"],
    ["a group key with capitals", { groups: ["ok", "Shop"] }, "event.groups[1]: must be a group key"],
    ["a negative window", { watchSeconds: -5 }, "event.watchSeconds: must be at least 0; got -5"],
    ["a window past the Lambda limit", { watchSeconds: 900 }, "event.watchSeconds: must be at most 840"],
    ["resync as a string", { resync: "yes" }, 'event.resync: must be true or false; got "yes"'],
    ["a schedule event with a bad detail", { ...scheduled, detail: { resync: 1 } }, "event.detail.resync"],
    ["a string", "reconcile", "event: must be a JSON object"],
  ])("refuses %s, naming the field, the value and the fix", (_, event, message) => {
    const parsed = parseLambdaEvent(event);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors.join("\n")).toContain(message);
  });
});
