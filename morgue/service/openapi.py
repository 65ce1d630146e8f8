"""The service's OpenAPI 3.1 document, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

import morgue

_ERROR = {"description": "bad input or refused", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Error"}}}}
_RESULT = {"type": "object", "properties": {
    "url": {"type": "string"}, "final_url": {"type": ["string", "null"]},
    "status": {"type": ["integer", "null"], "description": "HTTP status of the last response"},
    "error": {"type": ["string", "null"], "description": "why the URL was not saved (DNS, refused, timeout, "
                                                         "HTTP 4xx/5xx, robots.txt, not HTML, address refused)"},
    "capture_id": {"type": ["string", "null"]}, "warc_filename": {"type": ["string", "null"]},
    "warc_offset": {"type": ["integer", "null"]}, "warc_length": {"type": ["integer", "null"]},
    "title": {"type": ["string", "null"]}, "text": {"type": ["string", "null"], "description": "first words"},
    "recent": {"type": "boolean", "description": "an earlier capture, not fetched again"}}}
_CAPTURE = {"type": "object", "properties": {name: {"type": ["string", "integer", "number", "null"]} for name in (
    "capture_id", "url", "final_url", "status", "saved_at", "fetched_at", "warc_filename", "warc_key",
    "warc_offset", "warc_length", "warc_record_id", "title", "error", "word_count", "language", "published",
    "author")}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi() -> dict[str, Any]:
    capture_id = {"name": "capture_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "morgue", "version": morgue.__version__,
                 "description": "Archive URLs now: WARC and clean text, into morgue's store."},
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "MORGUE_API_TOKEN, when the service has one"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "string"}},
                                  "required": ["error"]},
                        "Result": _RESULT, "Capture": _CAPTURE},
        },
        "security": [{"token": []}, {}],
        "paths": {
            "/api/captures": {
                "post": {
                    "summary": "Archive URLs: a job, answered at once",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["urls"], "properties": {
                            "urls": {"type": "array", "items": {"type": "string", "format": "uri"}, "minItems": 1},
                            "webhook": {"type": "string", "format": "uri",
                                        "description": "POSTed the job (as GET /api/jobs/ID) when it ends"}}}}}},
                    "responses": {"202": _json({"type": "object", "properties": {
                        "job": {"type": "string"}, "state": {"type": "string"}}}, "queued"),
                        "400": _ERROR, "401": _ERROR, "413": _ERROR, "429": _ERROR},
                },
                "get": {
                    "summary": "Captures of a URL, newest first (without url: the latest captures)",
                    "parameters": [{"name": "url", "in": "query", "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}}],
                    "responses": {"200": _json({"type": "object", "properties": {"captures": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Capture"}}}}), "400": _ERROR},
                },
            },
            "/api/jobs/{job_id}": {"get": {
                "summary": "A job's state and per-URL results",
                "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "job": {"type": "string"},
                    "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}),
                    "404": _ERROR}}},
            "/api/captures/{capture_id}": {"get": {
                "summary": "A capture: its metadata and its text record (clean text)",
                "parameters": [capture_id],
                "responses": {"200": _json({"allOf": [{"$ref": "#/components/schemas/Capture"}, {
                    "type": "object", "properties": {"record": {"type": ["object", "null"]}}}]}),
                    "404": _ERROR}}},
            "/api/captures/{capture_id}/warc": {"get": {
                "summary": "The capture's WARC response record (one gzip member), read from the store",
                "parameters": [capture_id],
                "responses": {"200": {"description": "the record",
                                      "content": {"application/warc": {}}}, "404": _ERROR, "503": _ERROR}}},
        },
    }
