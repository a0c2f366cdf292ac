"""A Roundtable client for Python pipelines: push samples, ask the gate, export what the consultation produced.

One module, standard library only (Python 3.9+). Copy it into your project or put this folder on
``PYTHONPATH``. It talks to the pipeline API under ``/api/v1`` (docs/pipeline.md)::

    from roundtable import Client

    rt = Client()  # ROUNDTABLE_URL and ROUNDTABLE_TOKEN from the environment
    rt.push("samples.jsonl", dataset="tutoring-hints", version="v3", parent="v2",
            provenance={"generation_method": "persona_simulation", "model_name": "Llama 3.1 70B"})
    gate = rt.gate(dataset="tutoring-hints", version="v3")
    if gate.blocked:
        raise SystemExit(f"blocked: {[i['number'] for i in gate.blockers]}")
    rt.export("annotations", dataset="tutoring-hints", version="v3", format="parquet",
              output="annotations.parquet")
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, Union

__all__ = ["Client", "Gate", "PushResult", "RoundtableError", "SamplesRejected"]

_RETRY_STATUSES = {429, 503}
_ATTEMPTS = 5


class RoundtableError(Exception):
    """An API error: ``status`` (HTTP), ``code`` and ``message`` from the JSON error envelope, ``details`` if any."""

    def __init__(self, status: int, code: str, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class SamplesRejected(RoundtableError):
    """The upload was refused as a whole (nothing imported); ``errors`` lists the rejected lines."""

    @property
    def errors(self) -> List[Dict[str, Any]]:
        return list(self.details.get("errors", []))


@dataclass
class PushResult:
    """A successful upload: the version, the import id and how many samples it holds now."""

    version: str
    import_id: str
    rows: int
    replayed: bool = False


@dataclass
class Gate:
    """The gate's answer; ``blockers`` are the unresolved blocking issues (empty when none)."""

    version: str
    status: str
    blocked: bool
    blocking_issues: int
    open_issues: int
    blockers: List[Dict[str, Any]] = field(default_factory=list)


class Client:
    """A client for one Roundtable instance, acting with one API token."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 300.0) -> None:
        """``url`` and ``token`` default to the ROUNDTABLE_URL and ROUNDTABLE_TOKEN environment variables."""
        self.url = (url or os.environ.get("ROUNDTABLE_URL") or "").rstrip("/")
        self.token = token or os.environ.get("ROUNDTABLE_TOKEN") or ""
        self.timeout = timeout
        if not self.url:
            raise ValueError("Set ROUNDTABLE_URL (or pass url=) to your Roundtable address.")
        if not self.token:
            raise ValueError("Set ROUNDTABLE_TOKEN (or pass token=) to an API token from Account → API tokens.")

    # -- plumbing ---------------------------------------------------------------------------

    def _path(self, dataset: str, version: Optional[str] = None, tail: str = "") -> str:
        quote = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
        return f"/api/v1/datasets/{quote(dataset)}/versions" + (f"/{quote(version)}" if version else "") + tail

    def _request(self, method: str, path: str, body: Optional[Union[bytes, BinaryIO]] = None, headers: Optional[Dict[str, str]] = None) -> Any:
        """Sends one request, retried on 429, 503, 409 with Retry-After and network errors; returns the open response."""
        for attempt in range(1, _ATTEMPTS + 1):
            if hasattr(body, "seek"):
                body.seek(0)  # type: ignore[union-attr]
            req = urllib.request.Request(self.url + path, data=body, method=method)
            req.add_header("Authorization", f"Bearer {self.token}")
            req.add_header("User-Agent", "roundtable-python/1")
            for k, v in (headers or {}).items():
                req.add_header(k, v)
            try:
                return urllib.request.urlopen(req, timeout=self.timeout)
            except urllib.error.HTTPError as e:
                retry_after = e.headers.get("Retry-After")
                if attempt < _ATTEMPTS and (e.code in _RETRY_STATUSES or (e.code == 409 and retry_after)):
                    e.read()
                    time.sleep(min(60.0, float(retry_after or attempt)))
                    continue
                raise self._error(e) from None
            except urllib.error.URLError as e:
                if attempt < _ATTEMPTS:
                    time.sleep(attempt)
                    continue
                raise RoundtableError(0, "unreachable", f"Cannot reach {self.url}: {e.reason}") from None
        raise AssertionError("unreachable")

    @staticmethod
    def _error(e: urllib.error.HTTPError) -> RoundtableError:
        text = e.read().decode("utf-8", "replace")
        try:
            err = json.loads(text)["error"]
        except (ValueError, KeyError, TypeError):
            return RoundtableError(e.code, str(e.code), text[:300])
        cls = SamplesRejected if err.get("code") == "invalid_samples" else RoundtableError
        return cls(e.code, err.get("code", str(e.code)), err.get("message", ""), err.get("details"))

    def _json(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        with self._request(method, path, data, {"Content-Type": "application/json"} if data else None) as res:
            return json.loads(res.read().decode("utf-8"))

    # -- the API ----------------------------------------------------------------------------

    def create_version(self, dataset: str, version: str, parent: Optional[str] = None, provenance: Optional[Dict[str, Any]] = None) -> bool:
        """Creates a draft version with its provenance; False if the dataset already has that label."""
        body: Dict[str, Any] = {"generation_method": "other", **(provenance or {}), "label": version}
        if parent:
            body["parent"] = parent
        try:
            self._json("POST", self._path(dataset), body)
            return True
        except RoundtableError as e:
            if e.code == "version_exists":
                return False
            raise

    def push(self, file: str, dataset: str, version: str, parent: Optional[str] = None, provenance: Optional[Dict[str, Any]] = None) -> PushResult:
        """Creates the version if needed and uploads ``file`` (.jsonl, .csv or .parquet), all or nothing.

        The Idempotency-Key is derived from the file's bytes, so retries and re-runs never import twice.
        Raises SamplesRejected (with ``errors``) when any line is invalid: nothing is imported then.
        """
        lower = file.lower()
        if lower.endswith(".csv"):
            content_type = "text/csv"
        elif lower.endswith(".parquet"):
            content_type = "application/vnd.apache.parquet"
        elif lower.endswith((".jsonl", ".ndjson")):
            content_type = "application/x-ndjson"
        else:
            raise ValueError(f"Cannot tell the format of {file}: use a .jsonl, .csv or .parquet file.")
        self.create_version(dataset, version, parent, provenance)
        digest = hashlib.sha256()
        with open(file, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        size = os.path.getsize(file)
        headers = {"Content-Type": content_type, "Idempotency-Key": f"{version}-{digest.hexdigest()[:32]}", "Content-Length": str(size)}
        with open(file, "rb") as f, self._request("PUT", self._path(dataset, version, "/samples"), f, headers) as res:
            body = json.loads(res.read().decode("utf-8"))
            return PushResult(version=body["version"], import_id=body["import_id"], rows=body["rows"], replayed=res.headers.get("Idempotent-Replayed") == "true")

    def issues(self, dataset: str, version: str, status: str = "all", blocking: Optional[bool] = None) -> Iterator[Dict[str, Any]]:
        """Every issue of the version (all pages), optionally filtered by status and blocking."""
        cursor: Optional[str] = None
        while True:
            query: Dict[str, str] = {"status": status, "limit": "200"}
            if blocking is not None:
                query["blocking"] = "true" if blocking else "false"
            if cursor:
                query["cursor"] = cursor
            page = self._json("GET", self._path(dataset, version, "/issues?" + urllib.parse.urlencode(query)))
            yield from page["issues"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def gate(self, dataset: str, version: str) -> Gate:
        """May the version be used? ``blocked`` unless approved or released with no unresolved blocking issue."""
        g = self._json("GET", self._path(dataset, version, "/gate"))
        blockers = list(self.issues(dataset, version, status="unresolved", blocking=True)) if g["blocking_issues"] else []
        return Gate(version=g["version"], status=g["status"], blocked=g["blocked"], blocking_issues=g["blocking_issues"], open_issues=g["open_issues"], blockers=blockers)

    def export(self, what: str, dataset: str, version: str, format: Optional[str] = None, output: Optional[str] = None) -> bytes:
        """Downloads ``annotations`` (jsonl, csv, parquet), ``report`` (json, csv, md) or ``croissant``.

        With ``output`` the file is streamed to that path (and b"" returned); otherwise the bytes are returned.
        """
        if what == "annotations":
            tail = "/annotations?format=" + urllib.parse.quote(format or "jsonl")
        elif what == "report":
            tail = "/report?format=" + urllib.parse.quote(format or "json")
        elif what == "croissant":
            tail = "/croissant.json"
        else:
            raise ValueError("export what? annotations, report or croissant")
        with self._request("GET", self._path(dataset, version, tail)) as res:
            if output is None:
                return res.read()
            with open(output, "wb") as out:
                for chunk in iter(lambda: res.read(1 << 16), b""):
                    out.write(chunk)
            return b""
