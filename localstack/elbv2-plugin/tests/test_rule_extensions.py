"""End-to-end: RegexValues in rule conditions and rule Transforms, through the running LocalStack.

moto alone answers a RegexValues-only condition with a 500 and drops Transforms; the plugin
(gannet_localstack_elbv2/rules.py) keeps them. boto3/botocore 1.42.72 know both shapes, so
these tests use the ordinary client; one test reads the raw XML as well.
"""

import pytest
import requests
from botocore.exceptions import ClientError
from testbed import ENDPOINT, client, require_localstack


@pytest.fixture(scope="module", autouse=True)
def localstack_running():
    require_localstack()


@pytest.fixture
def elbv2():
    return client("elbv2")


@pytest.fixture
def alb(vpc_with_two_subnets, suffix, elbv2):
    """An internal ALB with an ip target group and an HTTP:80 listener (fixed-response 404 default)."""
    vpc_id, subnet_ids = vpc_with_two_subnets
    lb_arn = elbv2.create_load_balancer(
        Name=f"rx-{suffix}", Subnets=subnet_ids, Scheme="internal", Type="application"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg_arn = None
    try:
        tg_arn = elbv2.create_target_group(
            Name=f"rx-{suffix}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        listener_arn = elbv2.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
            ],
        )["Listeners"][0]["ListenerArn"]
        yield {"lb": lb_arn, "tg": tg_arn, "listener": listener_arn}
    finally:
        elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)
        if tg_arn:
            elbv2.delete_target_group(TargetGroupArn=tg_arn)


REGEX_CONDITIONS = [
    {"Field": "path-pattern", "PathPatternConfig": {"RegexValues": ["^/api/v[0-9]+/(users|orders)$"]}},
    {"Field": "host-header", "HostHeaderConfig": {"Values": ["app.gannet.example.com"]}},
]
URL_REWRITE = [
    {"Type": "url-rewrite", "UrlRewriteConfig": {"Rewrites": [{"Regex": "^/api/v[0-9]+/(.*)$", "Replace": "/$1"}]}}
]
HOST_REWRITE = [
    {
        "Type": "host-header-rewrite",
        "HostHeaderRewriteConfig": {"Rewrites": [{"Regex": "^app\\.(.*)$", "Replace": "backend.$1"}]},
    }
]


def forward(alb):
    return [{"Type": "forward", "TargetGroupArn": alb["tg"]}]


def create_rule(elbv2, alb, priority, conditions, transforms=None):
    kwargs = {"Transforms": transforms} if transforms is not None else {}
    (rule,) = elbv2.create_rule(
        ListenerArn=alb["listener"], Priority=priority, Conditions=conditions, Actions=forward(alb), **kwargs
    )["Rules"]
    return rule


def described(elbv2, rule_arn):
    (rule,) = elbv2.describe_rules(RuleArns=[rule_arn])["Rules"]
    return rule


def rules_of(elbv2, alb):
    return {r["RuleArn"]: r for r in elbv2.describe_rules(ListenerArn=alb["listener"])["Rules"]}


def test_create_rule_with_regex_values_and_url_rewrite_round_trips(elbv2, alb):
    rule = create_rule(elbv2, alb, 10, REGEX_CONDITIONS, URL_REWRITE)

    assert rule["Conditions"] == REGEX_CONDITIONS
    assert rule["Transforms"] == URL_REWRITE
    assert rule["Priority"] == "10"
    assert rule["Actions"] == forward(alb)
    for seen in (described(elbv2, rule["RuleArn"]), rules_of(elbv2, alb)[rule["RuleArn"]]):
        assert seen["Conditions"] == REGEX_CONDITIONS
        assert seen["Transforms"] == URL_REWRITE
        assert seen["Priority"] == "10"
        assert seen["IsDefault"] is False


def test_describe_rules_xml_carries_regex_values_and_transforms(elbv2, alb):
    rule = create_rule(elbv2, alb, 11, REGEX_CONDITIONS, URL_REWRITE)

    # The query protocol as it travels: a raw DescribeRules, the XML LocalStack serializes.
    response = requests.post(
        f"{ENDPOINT}/",
        data={"Action": "DescribeRules", "Version": "2015-12-01", "RuleArns.member.1": rule["RuleArn"]},
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
            "elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0"
        },
        timeout=10,
    )

    assert response.status_code == 200, response.text
    xml = response.text
    assert "<PathPatternConfig><RegexValues><member>^/api/v[0-9]+/(users|orders)$</member></RegexValues>" in xml
    assert "<Transforms><member><Type>url-rewrite</Type>" in xml
    assert "<Regex>^/api/v[0-9]+/(.*)$</Regex>" in xml
    assert "<Replace>/$1</Replace>" in xml
    assert "gannet-regex-placeholder" not in xml


def test_regex_values_in_every_place_the_api_allows(elbv2, alb):
    conditions = [
        {"Field": "host-header", "HostHeaderConfig": {"RegexValues": ["^(www|api)\\.example\\.com$"]}},
        {"Field": "path-pattern", "RegexValues": ["^/legacy/.*"]},
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "User-Agent", "RegexValues": [".*Mobile.*"]},
        },
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["beta"], "RegexValues": ["^stag.*"]},
        },
    ]

    rule = create_rule(elbv2, alb, 12, conditions)

    assert rule["Conditions"] == conditions
    assert described(elbv2, rule["RuleArn"])["Conditions"] == conditions
    assert "Transforms" not in rule


def test_modify_rule_replaces_conditions_and_keeps_omitted_transforms(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 20, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]
    other = [{"Field": "path-pattern", "PathPatternConfig": {"RegexValues": ["^/v2/.*$", "^/beta/.*$"]}}]

    (modified,) = elbv2.modify_rule(RuleArn=rule_arn, Conditions=other)["Rules"]

    assert modified["Conditions"] == other  # wholesale: the host-header condition is gone
    assert modified["Transforms"] == URL_REWRITE  # omitted Transforms: unchanged (AWS)
    now = described(elbv2, rule_arn)
    assert now["Conditions"] == other
    assert now["Transforms"] == URL_REWRITE
    assert now["Priority"] == "20"


def test_modify_rule_transforms_only_replace_then_reset(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 21, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]

    # Only Transforms: moto's ModifyRule alone would want conditions or actions.
    (modified,) = elbv2.modify_rule(RuleArn=rule_arn, Transforms=HOST_REWRITE)["Rules"]
    assert modified["Transforms"] == HOST_REWRITE
    assert modified["Conditions"] == REGEX_CONDITIONS
    assert described(elbv2, rule_arn)["Transforms"] == HOST_REWRITE

    both = URL_REWRITE + HOST_REWRITE
    elbv2.modify_rule(RuleArn=rule_arn, Transforms=both)
    assert described(elbv2, rule_arn)["Transforms"] == both

    (reset,) = elbv2.modify_rule(RuleArn=rule_arn, ResetTransforms=True)["Rules"]
    assert "Transforms" not in reset
    now = described(elbv2, rule_arn)
    assert "Transforms" not in now
    assert now["Conditions"] == REGEX_CONDITIONS


def test_modify_rule_actions_only_keeps_regex_conditions(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 22, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]
    fixed = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"}}]

    (modified,) = elbv2.modify_rule(RuleArn=rule_arn, Actions=fixed)["Rules"]

    assert modified["Actions"][0]["FixedResponseConfig"]["StatusCode"] == "503"
    assert modified["Conditions"] == REGEX_CONDITIONS
    assert modified["Transforms"] == URL_REWRITE


def test_modify_rule_to_plain_values_drops_the_stored_regex_conditions(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 23, REGEX_CONDITIONS)["RuleArn"]
    plain = [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/plain/*"]}}]

    elbv2.modify_rule(RuleArn=rule_arn, Conditions=plain)
    assert described(elbv2, rule_arn)["Conditions"] == plain

    # and back to regex again
    elbv2.modify_rule(RuleArn=rule_arn, Conditions=REGEX_CONDITIONS)
    assert described(elbv2, rule_arn)["Conditions"] == REGEX_CONDITIONS


def test_set_rule_priorities_keeps_regex_conditions_and_transforms(elbv2, alb):
    first = create_rule(elbv2, alb, 30, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]
    second_conditions = [{"Field": "host-header", "HostHeaderConfig": {"RegexValues": ["^b\\..*$"]}}]
    second = create_rule(elbv2, alb, 31, second_conditions, HOST_REWRITE)["RuleArn"]

    # Swap through a free priority (moto refuses a target priority that is still held).
    elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": first, "Priority": 39}])
    elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": second, "Priority": 30}])
    answered = elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": first, "Priority": 31}])["Rules"]

    (moved,) = [r for r in answered if r["RuleArn"] == first]
    assert moved["Priority"] == "31"
    assert moved["Conditions"] == REGEX_CONDITIONS
    assert moved["Transforms"] == URL_REWRITE
    rules = rules_of(elbv2, alb)
    assert (rules[first]["Priority"], rules[second]["Priority"]) == ("31", "30")
    assert rules[first]["Conditions"] == REGEX_CONDITIONS
    assert rules[first]["Transforms"] == URL_REWRITE
    assert rules[second]["Conditions"] == second_conditions
    assert rules[second]["Transforms"] == HOST_REWRITE


def test_delete_rule_removes_it_and_leaves_the_others(elbv2, alb):
    gone = create_rule(elbv2, alb, 40, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]
    kept = create_rule(elbv2, alb, 41, REGEX_CONDITIONS, HOST_REWRITE)["RuleArn"]

    elbv2.delete_rule(RuleArn=gone)

    with pytest.raises(ClientError) as error:
        elbv2.describe_rules(RuleArns=[gone])
    assert error.value.response["Error"]["Code"] == "RuleNotFound"
    rules = rules_of(elbv2, alb)
    assert gone not in rules
    assert rules[kept]["Transforms"] == HOST_REWRITE
    assert rules[kept]["Conditions"] == REGEX_CONDITIONS


def test_delete_listener_takes_its_rules(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 42, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]

    elbv2.delete_listener(ListenerArn=alb["listener"])

    with pytest.raises(ClientError) as error:
        elbv2.describe_rules(RuleArns=[rule_arn])
    assert error.value.response["Error"]["Code"] == "RuleNotFound"
    # (the fixture's DeleteLoadBalancer then runs on a load balancer without listeners)


def test_rule_without_regex_or_transforms_is_moto_unchanged(elbv2, alb):
    conditions = [
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["plain.gannet.example.com"]}},
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}},
    ]

    rule = create_rule(elbv2, alb, 50, conditions)

    assert rule["Conditions"] == conditions
    assert "Transforms" not in rule
    seen = described(elbv2, rule["RuleArn"])
    assert seen["Conditions"] == conditions
    assert "Transforms" not in seen
    default = next(r for r in rules_of(elbv2, alb).values() if r["IsDefault"])
    assert default["Conditions"] == []
    assert "Transforms" not in default

    # moto's own checks still apply to plain values
    with pytest.raises(ClientError) as error:
        create_rule(elbv2, alb, 51, [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/" + "x" * 200]}}])
    assert error.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as error:
        create_rule(elbv2, alb, 50, conditions)
    assert error.value.response["Error"]["Code"] == "PriorityInUse"


@pytest.mark.parametrize(
    "conditions, transforms",
    [
        pytest.param([{"Field": "source-ip", "RegexValues": ["^10\\."]}], None, id="regex-on-source-ip"),
        pytest.param(
            [{"Field": "path-pattern", "HostHeaderConfig": {"RegexValues": ["^a$"]}}], None, id="config-of-other-field"
        ),
        pytest.param(
            [{"Field": "path-pattern", "PathPatternConfig": {"RegexValues": ["x" * 129]}}], None, id="regex-too-long"
        ),
        pytest.param(REGEX_CONDITIONS, URL_REWRITE + URL_REWRITE, id="two-url-rewrites"),
        pytest.param(
            REGEX_CONDITIONS,
            [{"Type": "url-rewrite", "HostHeaderRewriteConfig": {"Rewrites": [{"Regex": "a", "Replace": "b"}]}}],
            id="config-of-other-transform",
        ),
        pytest.param(REGEX_CONDITIONS, [{"Type": "url-rewrite"}], id="transform-without-rewrites"),
    ],
)
def test_invalid_regex_values_or_transforms_are_refused(elbv2, alb, conditions, transforms):
    with pytest.raises(ClientError) as error:
        create_rule(elbv2, alb, 60, conditions, transforms)

    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(rules_of(elbv2, alb)) == 1  # only the default rule


def test_modify_rule_refuses_transforms_with_reset_and_on_the_default_rule(elbv2, alb):
    rule_arn = create_rule(elbv2, alb, 70, REGEX_CONDITIONS, URL_REWRITE)["RuleArn"]
    default_arn = next(arn for arn, r in rules_of(elbv2, alb).items() if r["IsDefault"])

    with pytest.raises(ClientError) as error:
        elbv2.modify_rule(RuleArn=rule_arn, Transforms=HOST_REWRITE, ResetTransforms=True)
    assert error.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as error:
        elbv2.modify_rule(RuleArn=default_arn, Transforms=HOST_REWRITE)
    assert error.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as error:
        elbv2.modify_rule(RuleArn=rule_arn.rsplit("/", 1)[0] + "/0123456789abcdef", Transforms=HOST_REWRITE)
    assert error.value.response["Error"]["Code"] == "RuleNotFound"

    assert described(elbv2, rule_arn)["Transforms"] == URL_REWRITE  # nothing changed

