"""The LocalStack service plugin: `elbv2:default`."""

from localstack.services.plugins import Service, aws_provider


class Elbv2Provider:
    """Marker provider: LocalStack reads `service` to name the Service and load its spec."""

    service = "elbv2"


@aws_provider(api="elbv2")
def elbv2() -> Service:
    """Create the ELBv2 service: a dict dispatch table over moto (see dispatch.py)."""
    # Imported lazily, like localstack's own providers: plugin discovery must stay cheap.
    from gannet_localstack_elbv2.dispatch import create_dispatch_table

    return Service.for_provider(Elbv2Provider(), dispatch_table_factory=create_dispatch_table)
