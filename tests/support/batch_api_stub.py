"""An in-process stub of OpenAI's Files and Batches endpoints (httpx MockTransport).

A batch moves validating -> in_progress -> completed over successive retrieves; on
completion every request line is answered by ``answer`` (the chat-completions fake), and
requests it answers with an ``httpx.Response`` error go to the batch's error file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from typing import Any

import httpx

from tests.support.completions import completion

Answer = Callable[[dict[str, Any]], "dict[str, Any] | httpx.Response"]


def _multipart_file(request: httpx.Request) -> bytes:
    header = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=default).parsebytes(header + request.content)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError("no file part in the upload")


@dataclass
class BatchStub:
    answer: Answer
    #: Retrieves needed before a batch completes.
    steps: int = 2
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: int = 0
    creates: int = 0
    polls: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if request.method == "POST" and path == "/files":
            self.uploads += 1
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = _multipart_file(request)
            return httpx.Response(200, json=self._file(file_id, "batch"))
        if request.method == "GET" and path.startswith("/files/") and path.endswith("/content"):
            file_id = path.split("/")[2]
            return httpx.Response(200, content=self.files[file_id])
        if request.method == "POST" and path == "/batches":
            self.creates += 1
            body = json.loads(request.content)
            assert body["endpoint"] == "/v1/chat/completions"
            assert body["input_file_id"] in self.files
            batch_id = f"batch_{len(self.batches) + 1}"
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": body["endpoint"],
                "input_file_id": body["input_file_id"],
                "completion_window": body["completion_window"],
                "status": "validating",
                "created_at": 0,
                "metadata": body.get("metadata"),
                "output_file_id": None,
                "error_file_id": None,
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
                "_polls": 0,
            }
            return httpx.Response(200, json=self._public(batch_id))
        if request.method == "GET" and path == "/batches":
            data = [self._public(b) for b in reversed(self.batches)]
            return httpx.Response(200, json={"object": "list", "data": data, "has_more": False})
        if request.method == "GET" and path.startswith("/batches/"):
            self.polls += 1
            batch_id = path.split("/")[2]
            self._advance(batch_id)
            return httpx.Response(200, json=self._public(batch_id))
        return httpx.Response(404, json={"error": {"message": f"no route {request.method} {path}"}})

    def _file(self, file_id: str, purpose: str) -> dict[str, Any]:
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(self.files[file_id]),
            "created_at": 0,
            "filename": f"{file_id}.jsonl",
            "purpose": purpose,
            "status": "processed",
        }

    def _public(self, batch_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def _advance(self, batch_id: str) -> None:
        batch = self.batches[batch_id]
        if batch["status"] == "completed":
            return
        batch["_polls"] += 1
        if batch["_polls"] < self.steps:
            batch["status"] = "in_progress"
            return
        outputs, errors = [], []
        for line in self.files[batch["input_file_id"]].splitlines():
            request = json.loads(line)
            result = self.answer(request["body"])
            if isinstance(result, httpx.Response):
                errors.append(
                    {
                        "id": "r",
                        "custom_id": request["custom_id"],
                        "error": None,
                        "response": {
                            "status_code": result.status_code,
                            "body": json.loads(result.content),
                        },
                    }
                )
            else:
                body = completion(result, request["body"])
                outputs.append(
                    {
                        "id": "r",
                        "custom_id": request["custom_id"],
                        "error": None,
                        "response": {"status_code": 200, "body": body},
                    }
                )
        batch["output_file_id"] = self._store(outputs)
        batch["error_file_id"] = self._store(errors) if errors else None
        total = len(outputs) + len(errors)
        batch["request_counts"] = {"total": total, "completed": len(outputs), "failed": len(errors)}
        batch["status"] = "completed"

    def _store(self, records: list[dict[str, Any]]) -> str:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = "".join(json.dumps(r) + "\n" for r in records).encode()
        return file_id
