"""The request body size limit, for every route: a declared Content-Length over the limit is refused before
reading, and a body that turns out larger (chunked uploads) is cut off as soon as it passes the limit."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medal_catalog.api.envelope import refusal
from medal_catalog.errors import PayloadTooLarge


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware answering 413 (in the API's one error envelope) for bodies over ``limit``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Outside the app's exception handlers (the body is cut off below them), so the answer is built here.
        err = PayloadTooLarge(f"the request body is larger than the limit of {self.limit} bytes")
        await refusal(err)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received, started = 0, False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)
