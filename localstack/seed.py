#!/usr/bin/env python3
"""Make the LocalStack endpoint look like a real account for Gannet (idempotent).

Finds what exists by tags (or by name for the hosted zone) and creates only what is
missing: the testbed VPC, a public and a private subnet in each of three AZs with the
Kubernetes subnet-discovery tags, and the public hosted zone of the examples.
Prints one `seed: ...` line per thing. Names are documented in localstack/README.md.
"""

import os
import time
import sys

import boto3

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566").rstrip("/")
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

VPC_NAME = "gannet-testbed"
VPC_CIDR = "10.20.0.0/16"
TESTBED_TAG = "gannet.io/testbed"
ZONE_NAME = "gannet.example.com"
ZONE_CALLER_REFERENCE = "gannet-testbed-gannet.example.com"

# (tier, AZ suffix, CIDR); tier decides the kubernetes.io/role tag.
SUBNETS = [
    ("public", "a", "10.20.0.0/20"),
    ("public", "b", "10.20.16.0/20"),
    ("public", "c", "10.20.32.0/20"),
    ("private", "a", "10.20.128.0/20"),
    ("private", "b", "10.20.144.0/20"),
    ("private", "c", "10.20.160.0/20"),
]
ROLE_TAG = {"public": "kubernetes.io/role/elb", "private": "kubernetes.io/role/internal-elb"}


def client(service: str):
    """A boto3 client for the testbed: fixed test credentials (account 000000000000)."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def missing_tags(have: list[dict[str, str]] | None, want: dict[str, str]) -> dict[str, str]:
    current = {t["Key"]: t["Value"] for t in have or []}
    return {k: v for k, v in want.items() if current.get(k) != v}


def ensure_vpc(ec2) -> str:
    want = {"Name": VPC_NAME, TESTBED_TAG: "true"}
    found = ec2.describe_vpcs(Filters=[{"Name": f"tag:{TESTBED_TAG}", "Values": ["true"]}])["Vpcs"]
    if found:
        vpc = sorted(found, key=lambda v: v["VpcId"])[0]
        if len(found) > 1:
            print(f"seed: warning: {len(found)} VPCs tagged {TESTBED_TAG}=true; using {vpc['VpcId']}")
        fix = missing_tags(vpc.get("Tags"), want)
        if fix:
            ec2.create_tags(Resources=[vpc["VpcId"]], Tags=tag_list(fix))
        print(f"seed: vpc {vpc['VpcId']} exists")
        return vpc["VpcId"]
    vpc = ec2.create_vpc(
        CidrBlock=VPC_CIDR,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(want)}],
    )["Vpc"]
    print(f"seed: vpc {vpc['VpcId']} created")
    return vpc["VpcId"]


def ensure_subnets(ec2, vpc_id: str) -> None:
    existing = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_name = {}
    for subnet in existing:
        name = {t["Key"]: t["Value"] for t in subnet.get("Tags") or []}.get("Name")
        if name:
            by_name.setdefault(name, subnet)
    by_cidr = {s["CidrBlock"]: s for s in existing}
    for tier, suffix, cidr in SUBNETS:
        az = f"{REGION}{suffix}"
        name = f"{VPC_NAME}-{tier}-{az}"
        # No kubernetes.io/cluster/<name> tag: untagged subnets serve every cluster name (tests use unique ones).
        want = {"Name": name, TESTBED_TAG: "true", ROLE_TAG[tier]: "1"}
        subnet = by_name.get(name) or by_cidr.get(cidr)
        if subnet:
            fix = missing_tags(subnet.get("Tags"), want)
            if fix:
                ec2.create_tags(Resources=[subnet["SubnetId"]], Tags=tag_list(fix))
            state = "exists"
        else:
            subnet = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=cidr,
                AvailabilityZone=az,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": tag_list(want)}],
            )["Subnet"]
            state = "created"
        print(f"seed: subnet {tier} {az} {subnet['SubnetId']} {cidr} {state}")


def ensure_hosted_zone(route53) -> str:
    fqdn = ZONE_NAME + "."
    zones = route53.list_hosted_zones_by_name(DNSName=ZONE_NAME)["HostedZones"]
    public = [z for z in zones if z["Name"] == fqdn and not z.get("Config", {}).get("PrivateZone")]
    if public:
        zone_id = public[0]["Id"].split("/")[-1]
        print(f"seed: hosted-zone {ZONE_NAME} {zone_id} exists")
        return zone_id
    zone = route53.create_hosted_zone(
        Name=ZONE_NAME,
        CallerReference=ZONE_CALLER_REFERENCE,
        HostedZoneConfig={"Comment": "Gannet testbed (examples' domain)", "PrivateZone": False},
    )["HostedZone"]
    zone_id = zone["Id"].split("/")[-1]
    print(f"seed: hosted-zone {ZONE_NAME} {zone_id} created")
    return zone_id


WILDCARD_CERTIFICATE = "*.wild." + ZONE_NAME


def ensure_wildcard_certificate(acm) -> str:
    """A certificate that "already exists in the account" (not Gannet's): the examples discover it."""
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        if summary["DomainName"] == WILDCARD_CERTIFICATE:
            print(f"seed: certificate {WILDCARD_CERTIFICATE} exists")
            return summary["CertificateArn"]
    arn = acm.request_certificate(DomainName=WILDCARD_CERTIFICATE, ValidationMethod="DNS")["CertificateArn"]
    # The emulator issues after MOTO_ACM_VALIDATION_WAIT seconds: wait, so it "already exists" as ISSUED.
    for _ in range(40):
        if acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED":
            break
        time.sleep(0.5)
    print(f"seed: certificate {WILDCARD_CERTIFICATE} created")
    return arn


def main() -> int:
    account = client("sts").get_caller_identity()["Account"]
    print(f"seed: endpoint {ENDPOINT} region {REGION} account {account}")
    ec2 = client("ec2")
    vpc_id = ensure_vpc(ec2)
    ensure_subnets(ec2, vpc_id)
    zone_id = ensure_hosted_zone(client("route53"))
    ensure_wildcard_certificate(client("acm"))
    print(f"seed: done vpc {vpc_id} hosted-zone {zone_id}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one line, not a traceback, for start.sh's output
        print(f"seed: error: {type(e).__name__}: {e} (endpoint {ENDPOINT})", file=sys.stderr)
        sys.exit(1)
