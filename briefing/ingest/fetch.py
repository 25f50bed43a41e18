"""Fetching a URL safely: a timeout, a size cap, a content-type check and bounded redirects."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO, Any

from ..errors import FetchError

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/pdf",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
USER_AGENT = "briefing/0.1 (+https://pypi.org/project/briefing/)"


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    charset: str | None
    body: bytes


def _redirect_handler(limit: int) -> urllib.request.HTTPRedirectHandler:
    class BoundedRedirects(_HttpOnlyRedirects):
        max_redirections = limit

    return BoundedRedirects()


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        if not newurl.lower().startswith(("http://", "https://")):
            raise FetchError(f"{req.full_url}: redirects to {newurl}, which is not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float, max_bytes: int, max_redirects: int) -> Fetched:
    """GET a web page for briefing.

    Raises:
        FetchError: unreachable, an error status, too many redirects, not a text type, too large.
    """
    opener = urllib.request.build_opener(_redirect_handler(max_redirects))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(TEXT_TYPES)})
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in TEXT_TYPES:
                raise FetchError(f"{url}: serves {content_type}, not a web page, text, PDF or Word document")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"{url}: larger than the limit of {max_bytes:,} bytes (--max-bytes)")
            return Fetched(response.geturl(), content_type, response.headers.get_content_charset(), body)
    except urllib.error.HTTPError as e:
        if e.code in (301, 302, 303, 307, 308):
            raise FetchError(f"{url}: more than {max_redirects} redirects") from e
        raise FetchError(f"{url}: the server answered {e.code} {e.reason}") from e
    except urllib.error.URLError as e:
        raise FetchError(f"{url}: cannot fetch it ({_reason(e.reason)})") from e
    except TimeoutError as e:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from e


def _reason(reason: object) -> str:
    text = str(reason)
    return "timed out" if "timed out" in text else text
