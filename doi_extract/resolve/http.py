"""The polite HTTP client every registry request goes through.

One `requests.Session` (keep-alive) carries all requests, one at a time. For each
service (``Crossref``, ``doi.org``) the client keeps:

* a pacer that spaces request starts ``interval / limit`` apart (plus 2 % for jitter),
  reading the limit from each response's ``x-rate-limit-limit`` /
  ``x-rate-limit-interval`` headers (or the legacy ``x-ratelimit-*`` spellings) and
  starting at 5 requests per second until the first response. Even spacing (a token
  bucket holding one token) never exceeds the limit in any window, where a full bucket
  would allow twice the limit across a window boundary. Requests are sequential, so
  ``x-concurrency-limit`` (1 or more) always holds; it is only logged. Sequential is
  enough: 1,000 DOIs are 20 batch requests, about 2 s at 10 requests a second (measured
  with benchmarks/resolve.py at 50 ms latency); the rate, not the latency, is the limit.
* a circuit breaker: after 3 requests in a row failed (after their retries), or when at
  least half of the last 10 attempts were errors (a 429 with ``Retry-After`` is pacing,
  not an error), the service is not asked again. A service that refuses connections or
  cannot be found before it ever answered gets one short retry, then the circuit opens.

Retries: a 429 waits for ``Retry-After`` (seconds or an HTTP date, capped); a 429
without it, a 5xx, a timeout, a dropped connection or a 200 whose body is not the JSON
expected waits an exponential backoff with full jitter. Other 4xx answers are returned
to the caller at once. Every wait and every timeout is clamped to the `Deadline`, so a
call never outlives it by more than one request timeout, and normally not at all.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import logging
import math
import random
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3.exceptions

from doi_extract._version import PROJECT_URL, __version__
from doi_extract.resolve.base import ResolverSettings

log = logging.getLogger(__name__)

START_RATE_PER_S = 5.0
"""Requests per second before a service has advertised its limit (Crossref's public pool)."""
SPACING_MARGIN = 1.02
"""Starts are spaced 2 % wider than the limit needs, so jitter on the way cannot bring
``limit + 1`` arrivals into one interval at the server."""
MAX_BODY_BYTES = 32 * 1024 * 1024
BREAKER_CONSECUTIVE = 3
BREAKER_WINDOW = 10
BREAKER_ERROR_RATE = 0.5
_READ_CHUNK = 64 * 1024
# An interval header: "1s", "500ms", "1m"; a bare number is seconds.
_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", re.IGNORECASE)
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class RequestFailed(Exception):
    """A request gave no usable answer; ``reason`` is one line for a user."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable
        """The service could not be reached or stopped being asked (circuit open)."""


class Deadline:
    """A point in time after which nothing more is attempted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._end - time.monotonic())

    @property
    def reason(self) -> str:
        """The one-line reason given for work left undone."""
        return f"deadline of {self.seconds:g} s reached"

    def check(self) -> None:
        """Raise `RequestFailed` if no time is left.

        Raises:
            RequestFailed: the deadline has passed.
        """
        if self.remaining() <= 0:
            raise RequestFailed(self.reason)


@dataclass(frozen=True, slots=True)
class Reply:
    """A final HTTP answer: 2xx with a well-formed body, or a 4xx other than 429."""

    status: int
    url: str
    """The URL that answered, after redirects."""
    headers: Mapping[str, str]
    body: bytes
    data: Any = None
    """The parsed JSON body, when JSON was expected and the status is 2xx."""


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why an attempt gave no usable answer."""

    problem: str
    retry_after: float | None = None
    """Seconds a 429's ``Retry-After`` asked for."""
    unreachable: bool = False


class _Transient(Exception):
    """An attempt that may succeed if repeated: a timeout or a broken connection."""

    def __init__(self, description: str, *, unreachable: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.unreachable = unreachable


class _Pacer:
    """Spaces request starts so a service's advertised rate is never exceeded."""

    def __init__(self) -> None:
        self.spacing_s = SPACING_MARGIN / START_RATE_PER_S
        self.concurrency: int | None = None
        self._last_start: float | None = None

    def wait(self, deadline: Deadline) -> None:
        if self._last_start is not None:
            delay = self._last_start + self.spacing_s - time.monotonic()
            if delay > 0:
                if delay >= deadline.remaining():
                    raise RequestFailed(deadline.reason)
                time.sleep(delay)
        self._last_start = time.monotonic()

    def update(self, headers: Mapping[str, str]) -> None:
        limit = _first_number(headers, "x-rate-limit-limit", "x-ratelimit-limit")
        interval = _interval_s(headers, "x-rate-limit-interval", "x-ratelimit-interval")
        if limit is not None and limit > 0:
            spacing = (interval if interval is not None else 1.0) / limit * SPACING_MARGIN
            if spacing != self.spacing_s:
                log.debug("pacing: one request every %.3f s", spacing)
            self.spacing_s = spacing
        concurrency = _first_number(headers, "x-concurrency-limit")
        if concurrency is not None and int(concurrency) != self.concurrency:
            # Informational: one request at a time is within any advertised concurrency.
            log.debug("the server allows %d requests at once; sending one", concurrency)
            self.concurrency = int(concurrency)


class _Breaker:
    """Decides when a service has failed often enough to stop asking it."""

    def __init__(self) -> None:
        self.open_reason: str | None = None
        self.answered = False
        self._consecutive = 0
        self._window: deque[bool] = deque(maxlen=BREAKER_WINDOW)

    def attempt(self, *, error: bool, reason: str) -> None:
        self._window.append(error)
        if not error:
            self.answered = True
        full = len(self._window) == BREAKER_WINDOW
        if full and sum(self._window) >= BREAKER_ERROR_RATE * BREAKER_WINDOW:
            self.trip(reason)

    def request(self, *, ok: bool, reason: str = "") -> None:
        self._consecutive = 0 if ok else self._consecutive + 1
        if self._consecutive >= BREAKER_CONSECUTIVE:
            self.trip(reason)

    def trip(self, reason: str) -> None:
        if self.open_reason is None:
            log.debug("circuit open: %s", reason)
            self.open_reason = reason


class PoliteClient:
    """Sends GET requests politely and patiently, within a deadline.

    Args:
        settings: timeouts, retries, backoff and the contact address.
        session: a session to use (and leave open); by default the client makes its own.
    """

    def __init__(
        self, settings: ResolverSettings, *, session: requests.Session | None = None
    ) -> None:
        self.settings = settings
        self.requests_sent = 0
        self.deadline = Deadline(settings.deadline_s)
        self._own_session = session is None
        self._session = session if session is not None else requests.Session()
        self._pacers: dict[str, _Pacer] = {}
        self._breakers: dict[str, _Breaker] = {}
        self._random = random.Random()  # noqa: S311 (backoff jitter, not cryptography)
        contact = f"; mailto:{settings.mailto}" if settings.mailto else ""
        self.user_agent = f"doi-extract/{__version__} ({PROJECT_URL}{contact})"

    def open_reason(self, service: str) -> str | None:
        """Why ``service`` is no longer asked, or None while its circuit is closed."""
        breaker = self._breakers.get(service)
        return breaker.open_reason if breaker else None

    def get(
        self,
        service: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: str = "application/json",
        valid: Callable[[Any], bool] | None = None,
    ) -> Reply:
        """GET ``url`` with retries; returns a 2xx whose body is valid JSON, or a 4xx.

        Args:
            service: the name used in reasons and for pacing (``"Crossref"``).
            url: the full URL, without the query.
            params: the query parameters.
            accept: the ``Accept`` header; the 2xx body must be JSON either way.
            valid: an extra check of the parsed body; False makes the attempt a failure.

        Raises:
            RequestFailed: retries spent, deadline reached, or the service's circuit open.
        """
        pacer = self._pacers.setdefault(service, _Pacer())
        breaker = self._breakers.setdefault(service, _Breaker())
        headers = {"User-Agent": self.user_agent, "Accept": accept}
        attempt = 0
        while True:
            if breaker.open_reason is not None:
                raise RequestFailed(breaker.open_reason, unreachable=True)
            self.deadline.check()
            pacer.wait(self.deadline)
            result = self._attempt(url, params, headers, pacer, valid)
            if isinstance(result, Reply):
                breaker.attempt(error=False, reason="")
                breaker.request(ok=True)
                return result
            unreachable = result.unreachable and not breaker.answered
            failing = f"{service} failing: {result.problem}"
            log.debug("%s %s: %s (attempt %d)", service, url, result.problem, attempt + 1)
            # A 429 with Retry-After is the server pacing us, not failing: not held against it.
            breaker.attempt(error=result.retry_after is None, reason=failing)
            if unreachable and attempt >= 1:
                breaker.trip(f"{service} unreachable: {result.problem}")
            if attempt >= self.settings.max_retries or breaker.open_reason is not None:
                breaker.request(ok=False, reason=failing)
                if breaker.open_reason is not None:
                    raise RequestFailed(breaker.open_reason, unreachable=True)
                raise RequestFailed(f"{service}: {result.problem} after {attempt + 1} attempts")
            self._pause(attempt, result.retry_after, unreachable=unreachable)
            attempt += 1

    def _attempt(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
        pacer: _Pacer,
        valid: Callable[[Any], bool] | None,
    ) -> Reply | _Failure:
        """One exchange: a final `Reply`, or why it should be tried again."""
        try:
            reply = self._send(url, params, headers)
        except _Transient as error:
            return _Failure(error.description, unreachable=error.unreachable)
        pacer.update(reply.headers)
        if reply.status == 429:
            retry_after = _retry_after_s(reply.headers.get("retry-after"))
            return _Failure("rate limited (HTTP 429)", retry_after=retry_after)
        if reply.status >= 500:
            return _Failure(f"HTTP {reply.status}")
        if not 200 <= reply.status < 300:
            return reply
        try:
            data = json.loads(reply.body)
        except ValueError:
            return _Failure("malformed answer (not JSON)")
        if valid is not None and not valid(data):
            return _Failure("malformed answer (unexpected JSON)")
        return dataclasses.replace(reply, data=data)

    def close(self) -> None:
        """Close the session if the client made it."""
        if self._own_session:
            self._session.close()

    def _pause(self, attempt: int, retry_after: float | None, *, unreachable: bool) -> None:
        settings = self.settings
        if retry_after is not None:
            wait = min(retry_after, settings.retry_after_cap_s)
        else:
            ceiling = min(settings.backoff_cap_s, settings.backoff_base_s * 2**attempt)
            if unreachable:  # one short retry only: the next failure opens the circuit
                ceiling = min(ceiling, 1.0)
            wait = self._random.uniform(0, ceiling)
        if wait >= self.deadline.remaining():
            raise RequestFailed(self.deadline.reason)
        time.sleep(wait)

    def _send(self, url: str, params: Mapping[str, str] | None, headers: dict[str, str]) -> Reply:
        timeout = min(self.settings.request_timeout_s, self.deadline.remaining())
        if timeout <= 0:
            raise RequestFailed(self.deadline.reason)
        ends = time.monotonic() + timeout
        self.requests_sent += 1
        started = time.monotonic()
        try:
            response = self._session.get(
                url, params=params, headers=headers, timeout=(timeout, timeout), stream=True
            )
        except requests.Timeout as error:
            connecting = isinstance(error, requests.ConnectTimeout)
            raise _Transient(f"no answer within {timeout:g} s", unreachable=connecting) from error
        except requests.ConnectionError as error:
            description, unreachable = _describe_connection_error(error)
            raise _Transient(description, unreachable=unreachable) from error
        except requests.RequestException as error:
            raise _Transient(f"request failed ({type(error).__name__})") from error
        self.requests_sent += len(response.history)  # redirects followed
        try:
            body = _read_body(response, ends)
        finally:
            response.close()
        log.debug(
            "GET %s -> %d, %d bytes in %.2f s",
            response.url,
            response.status_code,
            len(body),
            time.monotonic() - started,
        )
        reply_headers = {key.lower(): value for key, value in response.headers.items()}
        return Reply(response.status_code, response.url, reply_headers, body)


def _read_body(response: requests.Response, ends: float) -> bytes:
    """Read the whole body, giving up at ``ends`` however slowly the server sends it."""
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if time.monotonic() > ends:
                raise _Transient("the answer arrived too slowly")
            chunk = response.raw.read1(_READ_CHUNK, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _Transient("the answer is too large")
            chunks.append(chunk)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise _Transient(f"connection dropped while reading ({type(error).__name__})") from error


def _describe_connection_error(error: requests.ConnectionError) -> tuple[str, bool]:
    """A short description, and whether it means the host cannot be reached at all."""
    reason: object = error.args[0] if error.args else error
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "host not found", True
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        text = str(reason).lower()
        if "refused" in text:
            return "connection refused", True
        return "cannot connect", True
    if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return "connection timed out", True
    return "connection dropped", False


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: ``"2"`` or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _first_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            number = float(value.strip())
        except ValueError:
            continue
        if math.isfinite(number):
            return number
    return None


def _interval_s(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        match = _INTERVAL.fullmatch(value) if value is not None else None
        if match is not None and float(match.group(1)) > 0:
            return float(match.group(1)) * _UNIT_S[(match.group(2) or "s").lower()]
    return None
