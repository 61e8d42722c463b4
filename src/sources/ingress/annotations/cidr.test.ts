import { describe, expect, it } from "vitest";
import { cidrSchema } from "./annotation-values.ts";

describe("cidrSchema", () => {
  it.each([
    { given: "0.0.0.0/0", want: "0.0.0.0/0" },
    { given: "10.0.0.0/8", want: "10.0.0.0/8" },
    { given: "::/0", want: "::/0" },
    { given: "2001:DB8:0:0::/32", want: "2001:db8::/32" },
    { given: "2001:0db8:0000:0000:0000:0000:0000:0000/64", want: "2001:db8::/64" },
  ])("keeps $given as AWS stores it: $want", ({ given, want }) => {
    expect(cidrSchema.parse(given)).toBe(want);
  });

  it.each(["10.0.0.1/8", "2001:db8::1/64", "not-a-cidr"])("refuses %s", (given) => {
    expect(cidrSchema.safeParse(given).success).toBe(false);
  });
});
