"""Sending fuzzed calls to the app and judging each answer: counts per API family, and every failure with
a line that reproduces it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from tests.fuzz.families import FAMILIES, Family, family_of, response_problems

if TYPE_CHECKING:
    import httpx2 as httpx
else:  # the HTTP package starlette's TestClient speaks (httpx2, else httpx)
    from starlette.testclient import httpx

Pairs = tuple[tuple[str, str], ...]
# Extra judgement of a call's answer (the OpenAPI checks of a /v1 call): what is wrong, if anything.
Judge = Callable[[httpx.Response], list[str]]


@dataclass(frozen=True)
class Call:
    """One HTTP request, its body already encoded (`tests.fuzz.bodies`), so that what is reported is
    exactly what was sent."""

    method: str
    path: str
    query: Pairs = ()
    headers: Pairs = ()
    body: bytes | None = None
    judge: Judge | None = field(default=None, compare=False)

    def build(self, client: TestClient) -> httpx.Request:
        return client.build_request(
            self.method, self.path, params=list(self.query), headers=list(self.headers), content=self.body
        )


@dataclass(frozen=True)
class Failure:
    reproducer: str
    status: int
    problems: tuple[str, ...]
    body: str


def reproducer(request: httpx.Request) -> str:
    """A TestClient call that sends the same bytes (long bodies cut, with their length said)."""
    sent = request.content
    shown = repr(sent if len(sent) <= 3000 else sent[:3000]) + (
        "" if len(sent) <= 3000 else f"  # of {len(sent)}"
    )
    headers = {
        name: value for name, value in request.headers.items() if name not in ("host", "content-length")
    }
    target = request.url.raw_path.decode("ascii")
    return f"client.request({request.method!r}, {target!r}, headers={headers!r}, content={shown})"


@dataclass
class Fuzzer:
    """Sends calls through `client` and keeps what came back."""

    client: TestClient
    sent: int = 0
    unsendable: int = 0  # calls the HTTP client itself refused to encode (never reached the app)
    statuses: dict[Family, Counter[int]] = field(default_factory=lambda: {f: Counter() for f in FAMILIES})
    failures: list[Failure] = field(default_factory=list)

    def send(self, call: Call) -> list[str]:
        """The problems with `call`'s answer (recorded too); none for a call that could not be encoded."""
        try:
            request = call.build(self.client)
            request.read()  # encode now: an encoding error is the client's, and must not reach the app
        except (UnicodeError, TypeError, ValueError):
            self.unsendable += 1
            return []
        response = self.client.send(request)
        self.sent += 1
        path = request.url.path  # as sent: the client resolves a raw `..`
        self.statuses[family_of(path)][response.status_code] += 1
        problems = response_problems(path, response.status_code, response.content, request.content)
        if call.judge is not None:
            problems += call.judge(response)
        if problems:
            failure = Failure(
                reproducer(request),
                response.status_code,
                tuple(problems),
                response.text[:500],
            )
            self.failures.append(failure)
        return problems

    def describe(self, failure: Failure) -> str:
        return (
            f"{failure.status}: {'; '.join(failure.problems)}\n  body: {failure.body}\n"
            f"  reproduce: {failure.reproducer}"
        )

    def summary(self) -> str:
        lines = [f"requests sent: {self.sent} (plus {self.unsendable} the HTTP client could not encode)"]
        for family in FAMILIES:
            counts = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses[family].items()))
            lines.append(f"  {family:6} {sum(self.statuses[family].values()):6}  {counts}")
        lines.append(f"failures: {len(self.failures)}")
        return "\n".join(lines)
