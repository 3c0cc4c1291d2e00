"""The error answers every API operation may give, declared in the OpenAPI schema (docs/security.md, "API
fuzzing"): a client (and schemathesis, tests/test_api_fuzz.py) then finds every status code it can get in
the schema, with the body it has.

Every error body is ``{"detail": …}``: a list of ``{"loc", "msg", "type"}`` naming the field (400 from the
request guards, 413, 422 from validation) or one message (401, 403, 404, 409, 429).

- 400: a malformed request (``core.request_guards``, ``core.middleware.RejectControlCharactersMiddleware``);
- 401: no valid token or session (operations that need one);
- 403: the caller's role may not do this (``core.policy``);
- 404: the object does not exist or is outside the caller's area;
- 409: an edit based on an old version, or a duplicate (operations that write);
- 413: a body larger than the operation takes (operations with a body);
- 422: a value refused by the schema or by the service, naming the field;
- 429: too many attempts (operations that authenticate).
"""

from __future__ import annotations

ERROR_SCHEMA = "Error"
ERROR_COMPONENT = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                        "required": ["msg"],
                    },
                },
            ]
        }
    },
    "required": ["detail"],
}
DESCRIPTIONS = {
    "400": "Malformed request (named in detail)",
    "401": "Not authenticated",
    "403": "Not allowed for the caller's role",
    "404": "Not found, or outside the caller's area",
    "409": "Conflict: changed by someone else since read, or a duplicate",
    "413": "Request body too large",
    "422": "A value refused, naming the field",
    "429": "Too many attempts: wait and try again",
}
WRITES = {"post", "put", "patch", "delete"}


def declare_error_responses(schema: dict) -> dict:
    """Add the error answers to each operation of ``schema`` (in place; a status already declared is kept)."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA] = ERROR_COMPONENT
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for operations in schema.get("paths", {}).values():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            codes = ["400", "403", "404", "422"]
            if op.get("security"):
                codes.append("401")
            else:  # an operation without authentication authenticates the caller (the token endpoint)
                codes += ["401", "429"]
            if method in WRITES:
                codes += ["409", "413"]
            responses = op["responses"]
            for code in codes:
                declared = responses.get(code) or responses.get(int(code))
                if declared is None:
                    responses[int(code)] = {  # ninja keys its answers by int
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    }
                    continue
                content = declared.setdefault("content", {}).setdefault("application/json", {})
                if "schema" in content and content["schema"] != ref:  # its own answer, or an error
                    content["schema"] = {"anyOf": [content["schema"], ref]}
    return schema
