"""ELBv2 for open-source LocalStack, served by moto in the LocalStack process.

LocalStack discovers `provider.elbv2` through the entry point
`localstack.aws.provider` / `elbv2:default` (see pyproject.toml).
"""
