"""Per-operation overrides of the plain moto forward ("ELBv2 API extensions over moto").

An entry `"OperationName": handler` exists where moto drops or breaks a field the real
API has. A handler has the Skeleton signature `handler(context, request) -> response dict`;
it may call `localstack.services.moto.call_moto(context)` or
`call_moto_with_request(context, modified_request)` and then amend the result.
Every entry is listed in localstack/README.md and has a test.

- rules.py: `RegexValues` in rule conditions and rule `Transforms` (CreateRule, ModifyRule,
  DescribeRules, SetRulePriorities), and dropping what it stores on DeleteRule,
  DeleteListener and DeleteLoadBalancer.
"""

from collections.abc import Callable

from localstack.aws.api import RequestContext, ServiceRequest, ServiceResponse

from gannet_localstack_elbv2.rules import RULE_HANDLERS

Handler = Callable[[RequestContext, ServiceRequest], ServiceResponse]

OPERATION_HANDLERS: dict[str, Handler] = {
    **RULE_HANDLERS,
}
