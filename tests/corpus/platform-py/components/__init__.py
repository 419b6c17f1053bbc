"""Components of the storefront platform."""

import json


def assume_role_policy(service: str) -> str:
    """A trust policy letting an AWS service assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
