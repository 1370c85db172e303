"""A JSON request body read with limits: its media type, its size (refused as soon as it is known to be too
large), the time the client takes to send it, and its syntax, each with its own status code."""
from __future__ import annotations

import asyncio
import json

from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect


class TooLarge(Exception):
    pass


def error(status: int, message: str, **headers):
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


async def read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request, limit: int, timeout_s: float):
    """(the request's JSON body, None), or (None, the response refusing it: 415, 413, 408 or 400). A client that
    stalls mid-body is dropped after ``timeout_s`` (it holds no thread)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return None, error(415, "Content-Type must be application/json")
    try:
        body = await asyncio.wait_for(read_body(request, limit), timeout_s)
    except TooLarge:
        return None, error(413, f"request body is larger than {limit} bytes")
    except asyncio.TimeoutError:
        return None, error(408, f"request body not received within {timeout_s:g} s")
    except ClientDisconnect:  # gone before sending its body: nobody to answer, nothing to log
        return None, error(400, "client disconnected")
    try:
        return json.loads(body), None
    except (ValueError, RecursionError):
        return None, error(400, "request body is not valid JSON")
