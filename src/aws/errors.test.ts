import { ResourceInUseException as AcmResourceInUse } from "@aws-sdk/client-acm";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
  ResourceInUseException,
  TooManyCertificatesException,
  TooManyRulesException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { WAFUnavailableEntityException } from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import { type AwsErrorKind, kindOfAwsError } from "./errors.ts";

const meta = { $metadata: { httpStatusCode: 400 }, message: "injected" };
const ec2 = (name: string) => new EC2ServiceException({ name, $fault: "client", ...meta });
const elb = (name: string) => new ElasticLoadBalancingV2ServiceException({ name, $fault: "client", ...meta });

describe("kindOfAwsError", () => {
  it.each<[string, unknown, AwsErrorKind]>([
    ["ELBv2 ResourceInUseException", new ResourceInUseException(meta), "later"],
    ["ACM ResourceInUseException", new AcmResourceInUse(meta), "later"],
    ["WAFUnavailableEntityException", new WAFUnavailableEntityException(meta), "later"],
    ["EC2 DependencyViolation", ec2("DependencyViolation"), "later"],
    ["EC2 InvalidGroup.InUse", ec2("InvalidGroup.InUse"), "later"],
    ["TooManyRulesException", new TooManyRulesException(meta), "terminal"],
    ["TooManyCertificatesException", new TooManyCertificatesException(meta), "terminal"],
    ["ELBv2 ValidationError (unmodeled)", elb("ValidationError"), "terminal"],
    ["EC2 UnauthorizedOperation", ec2("UnauthorizedOperation"), "terminal"],
    ["LoadBalancerNotFoundException", new LoadBalancerNotFoundException(meta), "other"],
    ["an EC2 code of another service's name", elb("DependencyViolation"), "other"],
    [
      "a plain Error named like an AWS code",
      Object.assign(new Error("x"), { name: "TooManyRules" }),
      "other",
    ],
    ["not an error", "boom", "other"],
  ])("%s -> %s", (_, err, kind) => {
    expect(kindOfAwsError(err)).toBe(kind);
  });
});
