"""Listener-rule fields moto does not keep: `RegexValues` in conditions and rule `Transforms`.

moto 5.1.25 (moto-ext) reads `HostHeaderConfig["Values"]` / `PathPatternConfig["Values"]` /
`HttpHeaderConfig["Values"]` unconditionally, so a condition that matches by `RegexValues`
only fails with a 500 (KeyError 'Values'); and its CreateRule/ModifyRule take no `Transforms`,
so they are dropped. This module keeps both in a side store keyed by rule ARN:

- CreateRule / ModifyRule: the request is checked (see `validate_conditions` and
  `validate_transforms`), conditions carrying `RegexValues` are forwarded to moto without them
  (with a placeholder in `Values` where moto needs one), and the conditions *as sent* and the
  transforms are stored for the rule ARN moto answers with.
- Every answer that carries rules (CreateRule, ModifyRule, DescribeRules, SetRulePriorities)
  gets the stored conditions and transforms back, so the caller sees what it sent, the way moto
  echoes every other condition.
- DeleteRule, DeleteListener and DeleteLoadBalancer drop the entries of what they deleted.

Rules without RegexValues and Transforms are forwarded to moto unchanged (`call_moto`).
"""

import copy
import threading
from collections.abc import Callable
from typing import Any

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest, ServiceResponse
from localstack.aws.forwarder import create_aws_request_context
from localstack.services.moto import call_moto, call_moto_with_request

# What moto sees instead of a RegexValues-only match; never returned (stored conditions are).
PLACEHOLDER = "gannet-regex-placeholder"

# The condition fields that take RegexValues, and the *Config that belongs to each.
REGEX_CONFIG_BY_FIELD = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
}
REGEX_FIELD_BY_CONFIG = {config: field for field, config in REGEX_CONFIG_BY_FIELD.items()}
MAX_REGEX_VALUE_LENGTH = 128  # "The maximum length of each string is 128 characters."

TRANSFORM_CONFIG_BY_TYPE = {
    "host-header-rewrite": "HostHeaderRewriteConfig",
    "url-rewrite": "UrlRewriteConfig",
}
MAX_REWRITE_LENGTH = 1024  # Regex and Replace: "The maximum length of the string is 1,024 characters."


class ValidationError(CommonServiceException):
    def __init__(self, message: str):
        super().__init__("ValidationError", message, status_code=400, sender_fault=True)


class RuleExtensionStore:
    """Per rule ARN: the conditions as sent (only when some carry RegexValues) and the transforms.

    ARNs carry account and region, so one store serves them all. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, list]] = {}

    def put(self, rule_arn: str, key: str, value: list | None) -> None:
        """Store `value` under `key` ("Conditions" or "Transforms") for the rule; None removes it."""
        with self._lock:
            entry = self._entries.setdefault(rule_arn, {})
            if value:
                entry[key] = copy.deepcopy(value)
            else:
                entry.pop(key, None)
            if not entry:
                del self._entries[rule_arn]

    def get(self, rule_arn: str) -> dict[str, list]:
        with self._lock:
            return copy.deepcopy(self._entries.get(rule_arn, {}))

    def drop(self, rule_arn: str) -> None:
        with self._lock:
            self._entries.pop(rule_arn, None)

    def drop_prefix(self, prefix: str) -> None:
        with self._lock:
            for arn in [arn for arn in self._entries if arn.startswith(prefix)]:
                del self._entries[arn]

    def arns(self) -> set[str]:
        with self._lock:
            return set(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def merge_into(self, rules: list[dict[str, Any]] | None) -> None:
        """Put the stored conditions and transforms into rules (dicts of the `Rule` shape)."""
        for rule in rules or []:
            entry = self.get(rule.get("RuleArn", ""))
            if "Conditions" in entry:
                rule["Conditions"] = entry["Conditions"]
            if "Transforms" in entry:
                rule["Transforms"] = entry["Transforms"]


STORE = RuleExtensionStore()


# --- ARNs ---------------------------------------------------------------------------------------
# listener     arn:...:listener/app/<lb-name>/<lb-id>/<listener-id>
# rule         arn:...:listener-rule/app/<lb-name>/<lb-id>/<listener-id>/<rule-id>
# load balancer arn:...:loadbalancer/app/<lb-name>/<lb-id>


def rule_prefix_of_listener(listener_arn: str) -> str:
    return listener_arn.replace(":listener/", ":listener-rule/", 1) + "/"


def rule_prefix_of_load_balancer(load_balancer_arn: str) -> str:
    return load_balancer_arn.replace(":loadbalancer/", ":listener-rule/", 1) + "/"


# --- conditions ---------------------------------------------------------------------------------


def has_regex_values(conditions: list[dict[str, Any]] | None) -> bool:
    for condition in conditions or []:
        if condition.get("RegexValues"):
            return True
        if any((condition.get(config) or {}).get("RegexValues") for config in REGEX_FIELD_BY_CONFIG):
            return True
    return False


def validate_conditions(conditions: list[dict[str, Any]] | None) -> None:
    """Check RegexValues the way the API documents them (moto checks the rest)."""
    for index, condition in enumerate(conditions or [], start=1):
        field = condition.get("Field")
        places = []
        if "RegexValues" in condition:
            places.append(("RegexValues", condition["RegexValues"]))
        for config, config_field in REGEX_FIELD_BY_CONFIG.items():
            if "RegexValues" in (condition.get(config) or {}):
                if field != config_field:
                    raise ValidationError(
                        f"Condition {index}: '{config}' can be specified only when 'Field' is '{config_field}'"
                    )
                places.append((f"{config}.RegexValues", condition[config]["RegexValues"]))
        for where, values in places:
            if field not in REGEX_CONFIG_BY_FIELD:
                raise ValidationError(
                    f"Condition {index}: RegexValues can be specified only when 'Field' is one of "
                    f"{sorted(REGEX_CONFIG_BY_FIELD)}, not '{field}'"
                )
            if not values:
                raise ValidationError(f"Condition {index}: {where} must not be empty")
            for value in values:
                if not isinstance(value, str) or not value:
                    raise ValidationError(f"Condition {index}: {where} must hold non-empty strings")
                if len(value) > MAX_REGEX_VALUE_LENGTH:
                    raise ValidationError(
                        f"Condition {index}: the '{field}' regex value is too long; the limit is "
                        f"'{MAX_REGEX_VALUE_LENGTH}'"
                    )


def conditions_for_moto(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions without RegexValues, with a placeholder where moto needs `Values`.

    moto validates (and stores) what is left: the field, `Values`, the header name.
    """
    result = []
    for original in conditions:
        condition = copy.deepcopy(original)
        had_regex = condition.pop("RegexValues", None) is not None
        for config in REGEX_FIELD_BY_CONFIG:
            if isinstance(condition.get(config), dict) and condition[config].pop("RegexValues", None) is not None:
                had_regex = True
        if had_regex:
            field = condition.get("Field")
            for config in REGEX_FIELD_BY_CONFIG:
                cfg = condition.get(config)
                if not isinstance(cfg, dict) or cfg.get("Values"):
                    continue
                if not cfg and condition.get("Values"):
                    # Legacy top-level Values plus a config that held RegexValues only:
                    # moto refuses both forms together, and the Values already match.
                    del condition[config]
                else:
                    cfg["Values"] = [PLACEHOLDER]
            config = REGEX_CONFIG_BY_FIELD.get(field)
            if field in ("host-header", "path-pattern") and not condition.get("Values") and config not in condition:
                condition[config] = {"Values": [PLACEHOLDER]}
        result.append(condition)
    return result


# --- transforms ---------------------------------------------------------------------------------


def validate_transforms(transforms: list[dict[str, Any]] | None) -> None:
    """At most one host-header-rewrite and one url-rewrite, each with its own config and rewrites."""
    seen = set()
    for index, transform in enumerate(transforms or [], start=1):
        kind = transform.get("Type")
        if kind not in TRANSFORM_CONFIG_BY_TYPE:
            raise ValidationError(
                f"1 validation error detected: Value '{kind}' at 'transforms.{index}.member.type' failed to "
                f"satisfy constraint: Member must satisfy enum value set: {sorted(TRANSFORM_CONFIG_BY_TYPE)}"
            )
        if kind in seen:
            raise ValidationError(f"A rule can have only one '{kind}' transform")
        seen.add(kind)
        config = TRANSFORM_CONFIG_BY_TYPE[kind]
        for other_type, other in TRANSFORM_CONFIG_BY_TYPE.items():
            if other != config and other in transform:
                raise ValidationError(f"Transform {index}: '{other}' can be specified only when 'Type' is '{other_type}'")
        rewrites = (transform.get(config) or {}).get("Rewrites")
        if not rewrites:
            raise ValidationError(f"Transform {index}: a '{kind}' transform needs '{config}' with 'Rewrites'")
        for rewrite in rewrites:
            for key in ("Regex", "Replace"):
                value = rewrite.get(key)
                if value is None:
                    raise ValidationError(f"Transform {index}: every rewrite needs '{key}'")
                if len(value) > MAX_REWRITE_LENGTH:
                    raise ValidationError(
                        f"Transform {index}: '{key}' is too long; the limit is '{MAX_REWRITE_LENGTH}'"
                    )


# --- calling moto -------------------------------------------------------------------------------


def call_moto_operation(context: RequestContext, operation: str, parameters: dict[str, Any]) -> ServiceResponse:
    """Call another ELBv2 operation on moto, as the same caller (like `call_moto_with_request`)."""
    local_context = create_aws_request_context(
        service_name=context.service.service_name,
        action=operation,
        parameters=parameters,
        region=context.region,
        protocol=context.protocol,
    )
    headers = copy.deepcopy(context.request.headers)
    headers.update(local_context.request.headers)
    local_context.request.headers = headers
    return call_moto(local_context)


def _without(request: ServiceRequest, *keys: str) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in keys}


# --- handlers -----------------------------------------------------------------------------------


def create_rule(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    conditions = request.get("Conditions") or []
    transforms = request.get("Transforms")
    validate_conditions(conditions)
    validate_transforms(transforms)
    regex = has_regex_values(conditions)

    if regex:
        forwarded = _without(request, "Transforms")
        forwarded["Conditions"] = conditions_for_moto(conditions)
        response = call_moto_with_request(context, forwarded)
    else:
        response = call_moto(context)  # moto ignores Transforms

    for rule in response.get("Rules") or []:
        STORE.put(rule["RuleArn"], "Conditions", conditions if regex else None)
        STORE.put(rule["RuleArn"], "Transforms", transforms)
    STORE.merge_into(response.get("Rules"))
    return response


def modify_rule(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    """Like AWS: what is given replaces the rule's list wholesale; what is omitted stays.

    `Transforms` replaces the transforms, `ResetTransforms=true` removes them (not both);
    without either the transforms stay.
    """
    rule_arn = request.get("RuleArn")
    conditions = request.get("Conditions")
    transforms = request.get("Transforms")
    reset = bool(request.get("ResetTransforms"))
    if transforms and reset:
        raise ValidationError("You cannot specify both 'Transforms' and 'ResetTransforms'")
    validate_conditions(conditions)
    validate_transforms(transforms)
    regex = has_regex_values(conditions)

    described = None
    if transforms or reset:
        # RuleNotFound as moto answers it, and no transforms on a default rule.
        described = call_moto_operation(context, "DescribeRules", {"RuleArns": [rule_arn]})
        if transforms and any(rule.get("IsDefault") for rule in described.get("Rules") or []):
            raise ValidationError("You cannot add transforms to a default rule")

    if conditions or request.get("Actions"):
        if regex or transforms or reset:
            forwarded = _without(request, "Transforms", "ResetTransforms")
            if regex:
                forwarded["Conditions"] = conditions_for_moto(conditions)
            response = call_moto_with_request(context, forwarded)
        else:
            response = call_moto(context)
    elif described is not None:
        # Only the transforms change: moto's ModifyRule wants conditions or actions.
        response = {"Rules": described.get("Rules") or []}
    else:
        response = call_moto(context)  # nothing to modify: moto's ValidationError

    for rule in response.get("Rules") or []:
        if conditions:
            STORE.put(rule["RuleArn"], "Conditions", conditions if regex else None)
        if transforms:
            STORE.put(rule["RuleArn"], "Transforms", transforms)
        elif reset:
            STORE.put(rule["RuleArn"], "Transforms", None)
    STORE.merge_into(response.get("Rules"))
    return response


def answer_with_rules(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    """DescribeRules, SetRulePriorities: moto's answer plus the stored fields."""
    response = call_moto(context)
    STORE.merge_into(response.get("Rules"))
    return response


def delete_rule(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    response = call_moto(context)
    STORE.drop(request.get("RuleArn", ""))
    return response


def delete_listener(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    response = call_moto(context)
    STORE.drop_prefix(rule_prefix_of_listener(request.get("ListenerArn", "")))
    return response


def delete_load_balancer(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    response = call_moto(context)
    STORE.drop_prefix(rule_prefix_of_load_balancer(request.get("LoadBalancerArn", "")))
    return response


RULE_HANDLERS: dict[str, Callable[[RequestContext, ServiceRequest], ServiceResponse]] = {
    "CreateRule": create_rule,
    "ModifyRule": modify_rule,
    "DescribeRules": answer_with_rules,
    "SetRulePriorities": answer_with_rules,
    "DeleteRule": delete_rule,
    "DeleteListener": delete_listener,
    "DeleteLoadBalancer": delete_load_balancer,
}
