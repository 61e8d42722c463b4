"""Per-operation overrides of the plain moto forward ("ELBv2 API extensions over moto").

Add an entry `"OperationName": handler` where moto drops or breaks a field the
real API has (planned: RegexValues in rule conditions, rule Transforms). A
handler has the Skeleton signature `handler(context, request) -> response dict`;
it may call `localstack.services.moto.call_moto(context)` or
`call_moto_with_request(context, modified_request)` and then amend the result.
Every entry must be listed in localstack/README.md and have a test.
"""

from collections.abc import Callable

from localstack.aws.api import RequestContext, ServiceRequest, ServiceResponse

Handler = Callable[[RequestContext, ServiceRequest], ServiceResponse]

# None yet: every operation is forwarded to moto unchanged.
OPERATION_HANDLERS: dict[str, Handler] = {}
