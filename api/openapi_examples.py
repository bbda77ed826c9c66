"""Examples for the OpenAPI schema: one request body per operation that takes one, and one
success answer per operation that answers JSON.

Kept as data beside the routers (the models are shared with the command line and the
profile files), and merged into the schema once, when ``/openapi.json`` is first built. The
answers (``openapi_responses.json``, keyed ``"<method> <path>"``) are real answers of the API
over the Section 337 notices the real rules raise alerts on, lists cut to two entries.
``tests/api/test_openapi_examples.py`` checks that every JSON body and every JSON success
answer has one, and that each example is valid against its schema.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

PROFILE_EXAMPLE: dict[str, Any] = {
    "id": "wuxi-netlink",
    "name": {"zh": "无锡网联科技有限公司", "en": "Wuxi Netlink Technology Co."},
    "aliases": ["Xilian Networks"],
    "location": {"province": "江苏", "city": "无锡"},
    "chains": ["L1"],
    "products": [{"name": "optical network terminals", "keywords": ["ONT", "光猫"]}],
    "destinations": [{"country": "US", "export_share": 0.4}],
}
CHANNEL = "mailtos://ops:secret@smtp.example.com?to=ops@netlink.example"

REQUEST_EXAMPLES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/auth/login"): {
        "email": "exporter@demo.iprwatch.local",
        "password": "demo-exporter-2026",
    },
    ("post", "/api/v1/admin/orgs"): {
        "id": "wuxi-netlink",
        "kind": "exporter",
        "name_zh": "无锡网联",
        "name_en": "Wuxi Netlink",
    },
    ("post", "/api/v1/admin/users"): {
        "email": "ops@netlink.example",
        "password": "a long passphrase",
        "org_id": "wuxi-netlink",
        "role": "exporter",
        "display_name": "王工",
    },
    ("patch", "/api/v1/admin/users/{user_id}"): {"active": False},
    ("post", "/api/v1/admin/keys"): {
        "org_id": "wuxi-netlink",
        "name": "ERP sync",
        "scopes": ["alerts:read", "search:read"],
    },
    ("post", "/api/v1/alerts/{alert_id}/acknowledge"): {"note": "法务已接手 / legal has it"},
    ("post", "/api/v1/alerts/{alert_id}/dismiss"): {
        "reason": "not_us",
        "note": "同名不同企业 / a different company of the same name",
    },
    ("post", "/api/v1/alerts/{alert_id}/resolve"): {"note": "已提交应诉材料 / answer filed"},
    ("post", "/api/v1/alerts/{alert_id}/notes"): {"text": "需要核对涉案产品型号"},
    ("post", "/api/v1/searches"): {
        "name": "US lithium-battery disputes",
        "enterprise_id": "wuxi-netlink",
        "query": {"q": "锂电池 337", "jurisdictions": ["US"], "kinds": ["dispute"]},
    },
    ("patch", "/api/v1/searches/{saved_id}"): {"name": "美国锂电池纠纷"},
    ("post", "/api/v1/subscriptions"): {
        "name": "网联 337 预警",
        "enterprise_id": "wuxi-netlink",
        "min_severity": "medium",
        "frequency": "daily",
        "channels": [CHANNEL],
        "owner_contact": CHANNEL,
        "language": "zh",
    },
    ("post", "/api/v1/subscriptions/estimate"): {
        "name": "网联 337 预警",
        "enterprise_id": "wuxi-netlink",
        "min_severity": "medium",
        "owner_contact": CHANNEL,
    },
    ("patch", "/api/v1/subscriptions/{subscription_id}"): {"active": False},
    ("post", "/api/v1/enterprises"): PROFILE_EXAMPLE,
    ("put", "/api/v1/enterprises/{enterprise_id}"): PROFILE_EXAMPLE,
    ("post", "/api/v1/enterprises/import"): [PROFILE_EXAMPLE],
    ("post", "/api/v1/briefings"): {"country": "US", "chain": "L1", "period": "2025-Q3"},
    ("post", "/api/v1/health-checks"): {"enterprise_id": "wuxi-netlink", "as_of": "2025-10-15"},
    ("post", "/api/v1/health-checks/{check_id}/notes"): {
        "author": "恒远知识产权 张律师",
        "text": "建议在美国补充布局两件外观设计专利。",
    },
}


def add_request_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each JSON request body's example filled in (in place)."""
    for (method, path), example in REQUEST_EXAMPLES.items():
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            content["application/json"]["example"] = example
    return schema


RESPONSES_FILE = Path(__file__).resolve().parent / "openapi_responses.json"


@cache
def response_examples() -> dict[str, Any]:
    """Success-answer examples by ``"<method> <path>"``."""
    examples: dict[str, Any] = json.loads(RESPONSES_FILE.read_text(encoding="utf-8"))
    return examples


def add_response_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each JSON success answer's example filled in (in place)."""
    for operation_key, example in response_examples().items():
        method, path = operation_key.split(" ", 1)
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            if status.startswith("2") and "application/json" in content:
                content["application/json"]["example"] = example
    return schema


def install_openapi_examples(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the request and response examples."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_response_examples(add_request_examples(build()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
