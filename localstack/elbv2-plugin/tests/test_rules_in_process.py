"""In-process: the rule handlers over moto in this Python process, to see the side store.

The running LocalStack's store cannot be read from outside, so these tests call the same
dispatch table with request contexts built like LocalStack's (`create_aws_request_context`),
against moto's in-memory backends here, and check what `rules.STORE` holds. They also run one
request through LocalStack's Skeleton to see the XML it serializes. No LocalStack needed.
"""

import copy
import uuid

import pytest
from localstack.aws.api import CommonServiceException, ServiceException
from localstack.aws.forwarder import create_aws_request_context
from localstack.aws.skeleton import Skeleton
from localstack.aws.spec import load_service
from localstack.services.moto import call_moto

from gannet_localstack_elbv2 import rules
from gannet_localstack_elbv2.dispatch import create_dispatch_table

ACCOUNT = "000000000000"
REGION = "us-east-1"
TABLE = create_dispatch_table(provider=None)

REGEX_CONDITIONS = [
    {"Field": "path-pattern", "PathPatternConfig": {"RegexValues": ["^/api/v[0-9]+/.*$"]}},
    {"Field": "host-header", "HostHeaderConfig": {"Values": ["app.gannet.example.com"]}},
]
URL_REWRITE = [{"Type": "url-rewrite", "UrlRewriteConfig": {"Rewrites": [{"Regex": "^/api/(.*)$", "Replace": "/$1"}]}}]


def context(service: str, operation: str, params: dict):
    ctx = create_aws_request_context(service, operation, parameters=copy.deepcopy(params), region=REGION)
    ctx.account_id = ACCOUNT
    ctx.request.headers["x-moto-account-id"] = ACCOUNT
    return ctx


def elbv2(operation: str, **params):
    ctx = context("elbv2", operation, params)
    return TABLE[operation](ctx, ctx.service_request)


def ec2(operation: str, **params):
    return call_moto(context("ec2", operation, params))


def make_listener():
    """A fresh load balancer, ip target group and HTTP:80 listener, in this process's moto."""
    suffix = uuid.uuid4().hex[:8]
    vpc_id = ec2("CreateVpc", CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2("CreateSubnet", VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in (("10.77.1.0/24", "us-east-1a"), ("10.77.2.0/24", "us-east-1b"))
    ]
    lb_arn = elbv2("CreateLoadBalancer", Name=f"inproc-{suffix}", Subnets=subnets, Scheme="internal", Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tg_arn = elbv2("CreateTargetGroup", Name=f"inproc-{suffix}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    listener_arn = elbv2(
        "CreateListener",
        LoadBalancerArn=lb_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )["Listeners"][0]["ListenerArn"]
    return {"lb": lb_arn, "tg": tg_arn, "listener": listener_arn}


@pytest.fixture
def listener():
    return make_listener()


def create_rule(listener, priority, conditions=REGEX_CONDITIONS, transforms=URL_REWRITE):
    params = {
        "ListenerArn": listener["listener"],
        "Priority": priority,
        "Conditions": conditions,
        "Actions": [{"Type": "forward", "TargetGroupArn": listener["tg"]}],
    }
    if transforms:
        params["Transforms"] = transforms
    return elbv2("CreateRule", **params)["Rules"][0]["RuleArn"]


def test_create_rule_stores_conditions_as_sent_and_transforms(listener):
    rule_arn = create_rule(listener, 10)

    assert rules.STORE.get(rule_arn) == {"Conditions": REGEX_CONDITIONS, "Transforms": URL_REWRITE}
    (rule,) = elbv2("DescribeRules", RuleArns=[rule_arn])["Rules"]
    assert rule["Conditions"] == REGEX_CONDITIONS
    assert rule["Transforms"] == URL_REWRITE


def test_a_plain_rule_stores_nothing(listener):
    plain = [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/a/*"]}}]

    rule_arn = create_rule(listener, 11, conditions=plain, transforms=None)

    assert rule_arn not in rules.STORE.arns()


def test_modify_rule_updates_the_store(listener):
    rule_arn = create_rule(listener, 12)
    plain = [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/a/*"]}}]

    elbv2("ModifyRule", RuleArn=rule_arn, Conditions=plain)
    assert rules.STORE.get(rule_arn) == {"Transforms": URL_REWRITE}

    elbv2("ModifyRule", RuleArn=rule_arn, ResetTransforms=True)
    assert rule_arn not in rules.STORE.arns()

    (rule,) = elbv2("DescribeRules", RuleArns=[rule_arn])["Rules"]
    assert rule["Conditions"] == plain
    assert "Transforms" not in rule


def test_delete_rule_drops_its_entry_only(listener):
    gone, kept = create_rule(listener, 20), create_rule(listener, 21)

    elbv2("DeleteRule", RuleArn=gone)

    assert gone not in rules.STORE.arns()
    assert kept in rules.STORE.arns()


def test_delete_listener_drops_its_rules(listener):
    rule_arns = {create_rule(listener, 30), create_rule(listener, 31)}
    assert rule_arns <= rules.STORE.arns()

    elbv2("DeleteListener", ListenerArn=listener["listener"])

    assert not rule_arns & rules.STORE.arns()


def test_delete_load_balancer_drops_the_rules_of_all_its_listeners(listener):
    second_listener = elbv2(
        "CreateListener",
        LoadBalancerArn=listener["lb"],
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": listener["tg"]}],
    )["Listeners"][0]["ListenerArn"]
    rule_arns = {create_rule(listener, 40), create_rule({**listener, "listener": second_listener}, 41)}
    other_lb = {create_rule(make_listener(), 42)}
    assert rule_arns | other_lb <= rules.STORE.arns()

    elbv2("DeleteLoadBalancer", LoadBalancerArn=listener["lb"])

    assert not rule_arns & rules.STORE.arns()
    assert other_lb <= rules.STORE.arns()


def test_failed_create_rule_stores_nothing(listener):
    create_rule(listener, 50)
    before = rules.STORE.arns()

    with pytest.raises(ServiceException) as error:
        create_rule(listener, 50)  # priority in use

    assert error.value.code == "PriorityInUse"
    assert rules.STORE.arns() == before


def test_validation_errors_are_common_service_exceptions():
    with pytest.raises(CommonServiceException) as error:
        rules.validate_conditions([{"Field": "query-string", "RegexValues": ["a"]}])
    assert (error.value.code, error.value.status_code) == ("ValidationError", 400)
    with pytest.raises(CommonServiceException):
        rules.validate_transforms([{"Type": "host-header-rewrite", "HostHeaderRewriteConfig": {"Rewrites": []}}])


@pytest.mark.parametrize(
    "condition, for_moto",
    [
        (
            {"Field": "host-header", "HostHeaderConfig": {"RegexValues": ["^a$"]}},
            {"Field": "host-header", "HostHeaderConfig": {"Values": [rules.PLACEHOLDER]}},
        ),
        (
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"], "RegexValues": ["^a$"]}},
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"]}},
        ),
        (
            {"Field": "path-pattern", "RegexValues": ["^/a$"]},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": [rules.PLACEHOLDER]}},
        ),
        (
            {"Field": "path-pattern", "Values": ["/a"], "PathPatternConfig": {"RegexValues": ["^/a$"]}},
            {"Field": "path-pattern", "Values": ["/a"]},
        ),
        (
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-A", "RegexValues": ["b"]}},
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-A", "Values": [rules.PLACEHOLDER]}},
        ),
        (
            {"Field": "http-header", "RegexValues": ["b"], "HttpHeaderConfig": {"HttpHeaderName": "X-A"}},
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-A", "Values": [rules.PLACEHOLDER]}},
        ),
        (
            {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}},
            {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}},
        ),
    ],
)
def test_conditions_for_moto(condition, for_moto):
    original = copy.deepcopy(condition)

    assert rules.conditions_for_moto([condition]) == [for_moto]
    assert condition == original


def test_the_skeleton_serializes_regex_values_and_transforms_to_xml(listener):
    rule_arn = create_rule(listener, 60)
    ctx = context("elbv2", "DescribeRules", {"RuleArns": [rule_arn]})

    response = Skeleton(load_service("elbv2"), TABLE).invoke(ctx)

    xml = response.get_data(as_text=True)
    assert response.status_code == 200, xml
    assert "<RegexValues><member>^/api/v[0-9]+/.*$</member></RegexValues>" in xml
    assert "<Transforms><member><Type>url-rewrite</Type><UrlRewriteConfig><Rewrites><member>" in xml
    assert rules.PLACEHOLDER not in xml
