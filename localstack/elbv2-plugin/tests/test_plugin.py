"""Tests of the ELBv2 provider plugin against a running LocalStack.

Start it first with `bash localstack/start.sh`; the endpoint is $AWS_ENDPOINT_URL
(default http://127.0.0.1:4566). Run with the venv's python (see localstack/README.md).
Every test uses fresh, unique names: LocalStack has no reset.
"""

from importlib.metadata import entry_points

import botocore.session
import pytest
import requests
from botocore.exceptions import ClientError
from testbed import ENDPOINT, client, require_localstack


@pytest.fixture(scope="session", autouse=True)
def localstack_running():
    require_localstack()


def test_dispatch_table_covers_every_elbv2_operation():
    from gannet_localstack_elbv2.dispatch import create_dispatch_table, forward_to_moto
    from gannet_localstack_elbv2.handlers import OPERATION_HANDLERS

    table = create_dispatch_table(provider=None)

    expected = set(botocore.session.get_session().get_service_model("elbv2").operation_names)
    assert set(table) == expected
    assert "CreateLoadBalancer" in table and "DescribeRules" in table
    for name, handler in table.items():
        assert handler is OPERATION_HANDLERS.get(name, forward_to_moto), name


def test_entry_point_names_the_provider():
    (ep,) = [e for e in entry_points(group="localstack.aws.provider") if e.name == "elbv2:default"]

    spec = ep.load()

    assert ep.value == "gannet_localstack_elbv2.provider:elbv2"
    assert spec.namespace == "localstack.aws.provider"
    assert spec.name == "elbv2:default"


def post_describe_load_balancers(version: str) -> requests.Response:
    # What boto3 sends: signing name elasticloadbalancing (shared by ELB classic and ELBv2),
    # so LocalStack's router tells them apart by Version.
    return requests.post(
        f"{ENDPOINT}/",
        data={"Action": "DescribeLoadBalancers", "Version": version},
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
            "elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0"
        },
        timeout=10,
    )


def test_query_request_with_version_2015_12_01_reaches_elbv2():
    response = post_describe_load_balancers("2015-12-01")

    assert response.status_code == 200, response.text
    assert "<DescribeLoadBalancersResponse" in response.text
    assert "elasticloadbalancing.amazonaws.com/doc/2015-12-01/" in response.text


def test_query_request_with_version_2012_06_01_does_not_reach_elbv2():
    response = post_describe_load_balancers("2012-06-01")

    assert "doc/2012-06-01/" in response.text
    assert "doc/2015-12-01/" not in response.text


def test_create_load_balancer_rejects_an_unknown_subnet(suffix):
    # ELBv2 reads EC2's state in the same process: a subnet EC2 never made is refused.
    with pytest.raises(ClientError):
        client("elbv2").create_load_balancer(
            Name=f"nosubnet-{suffix}",
            Subnets=["subnet-0123456789abcdef0"],
            Scheme="internal",
            Type="application",
        )


def test_alb_lifecycle_with_listener_rule_and_tags(vpc_with_two_subnets, suffix):
    vpc_id, subnet_ids = vpc_with_two_subnets
    elbv2 = client("elbv2")
    name = f"plugin-{suffix}"

    lb = elbv2.create_load_balancer(
        Name=name,
        Subnets=subnet_ids,
        Scheme="internal",
        Type="application",
        Tags=[{"Key": "gannet.io/test", "Value": suffix}],
    )["LoadBalancers"][0]
    lb_arn = lb["LoadBalancerArn"]
    tg_arn = None
    try:
        assert lb["VpcId"] == vpc_id
        assert lb["Scheme"] == "internal"
        assert lb["Type"] == "application"
        assert {az["SubnetId"] for az in lb["AvailabilityZones"]} == set(subnet_ids)
        assert lb["DNSName"]

        tg_arn = elbv2.create_target_group(
            Name=f"tg-{suffix}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(
            TargetGroupArn=tg_arn,
            Targets=[{"Id": "10.99.1.10", "Port": 8080}, {"Id": "10.99.2.10", "Port": 8080}],
        )
        health = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
        assert sorted(t["Target"]["Id"] for t in health) == ["10.99.1.10", "10.99.2.10"]

        listener_arn = elbv2.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
                }
            ],
        )["Listeners"][0]["ListenerArn"]

        conditions = [
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["app.gannet.example.com"]}},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}},
        ]
        rule_arn = elbv2.create_rule(
            ListenerArn=listener_arn,
            Priority=10,
            Conditions=conditions,
            Actions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )["Rules"][0]["RuleArn"]

        rules = {r["RuleArn"]: r for r in elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]}
        assert len(rules) == 2
        rule = rules[rule_arn]
        assert rule["Priority"] == "10"
        assert rule["Actions"][0]["TargetGroupArn"] == tg_arn
        by_field = {c["Field"]: c for c in rule["Conditions"]}
        assert by_field["host-header"]["HostHeaderConfig"]["Values"] == ["app.gannet.example.com"]
        assert by_field["path-pattern"]["PathPatternConfig"]["Values"] == ["/api/*"]
        default = next(r for r in rules.values() if r["IsDefault"])
        assert default["Actions"][0]["FixedResponseConfig"]["StatusCode"] == "404"

        elbv2.add_tags(ResourceArns=[lb_arn], Tags=[{"Key": "gannet.io/added", "Value": "yes"}])
        (described,) = elbv2.describe_tags(ResourceArns=[lb_arn])["TagDescriptions"]
        tags = {t["Key"]: t["Value"] for t in described["Tags"]}
        assert tags == {"gannet.io/test": suffix, "gannet.io/added": "yes"}
    finally:
        elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)
        if tg_arn:
            elbv2.delete_target_group(TargetGroupArn=tg_arn)

    with pytest.raises(ClientError) as gone:
        elbv2.describe_load_balancers(Names=[name])
    assert gone.value.response["Error"]["Code"] == "LoadBalancerNotFound"
