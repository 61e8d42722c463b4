"""What the end-to-end tests share: the endpoint and boto3 clients for it."""

import os

import boto3
import pytest
import requests

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566").rstrip("/")
REGION = "us-east-1"


def client(service: str):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def require_localstack() -> None:
    """Fail (never skip) when LocalStack is not answering with ELBv2."""
    try:
        health = requests.get(f"{ENDPOINT}/_localstack/health", timeout=5).json()
    except requests.RequestException as e:
        pytest.fail(f"LocalStack is not answering on {ENDPOINT} ({e}); start it with: bash localstack/start.sh")
    assert health["services"].get("elbv2") in ("running", "available"), health
