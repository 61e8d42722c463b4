"""Dispatch table for ELBv2: every operation of the spec, forwarded to moto unless overridden.

Open-source LocalStack has no `localstack.aws.api.elbv2`, so `MotoFallbackDispatcher`
(which scans a provider class for @handler methods) finds nothing and every call
would answer 501. LocalStack's Skeleton accepts a plain dict instead
(operation name -> handler(context, request)), which is what this module builds.
"""

from localstack.aws.api import RequestContext, ServiceRequest, ServiceResponse
from localstack.aws.skeleton import DispatchTable
from localstack.aws.spec import load_service
from localstack.services.moto import call_moto

from gannet_localstack_elbv2.handlers import OPERATION_HANDLERS


def forward_to_moto(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    """Plain forward: moto parses the original HTTP request and its answer is re-serialized."""
    return call_moto(context)


def create_dispatch_table(provider: object) -> DispatchTable:
    """Map every ELBv2 operation to its override in handlers.py, or to the plain forward."""
    operation_names = load_service("elbv2").operation_names
    unknown = sorted(set(OPERATION_HANDLERS) - set(operation_names))
    if unknown:
        raise ValueError(f"handlers for operations not in the elbv2 spec: {unknown}")
    return {name: OPERATION_HANDLERS.get(name, forward_to_moto) for name in operation_names}
