"""Shared fixtures. The tests import the plugin from this source tree, not the installed copy."""

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testbed import client  # noqa: E402


@pytest.fixture
def suffix() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def vpc_with_two_subnets(suffix):
    """A fresh VPC with subnets in us-east-1a and us-east-1b, removed afterwards."""
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": f"plugin-test-{suffix}"}])
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in (("10.99.1.0/24", "us-east-1a"), ("10.99.2.0/24", "us-east-1b"))
    ]
    yield vpc_id, subnet_ids
    for subnet_id in subnet_ids:
        ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)
