"""The byte stream the server reads messages from, with a guard in front of pygls' reader.

pygls (2.x, `io_.run_async`) takes any `Content-Length` header at its word: `Content-Length:
99999999999` makes it allocate the body up front (MemoryError), `2**63` overflows, a 5,000-digit
value fails `int()`; each ends the process. Here such a header is refused with one logged error,
and the stream is resynchronised at the next `Content-Length` header: what the client sent as that
message's body is skipped, later messages are served."""
from __future__ import annotations

import re
from typing import BinaryIO, Callable

# Far above any real message (a 10 MB Dockerfile is ~11 MB of JSON), far below what hurts.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
MAX_HEADER_LINE = 64 * 1024     # bytes read per readline: a body without line breaks is skipped in steps

HEADER = b"Content-Length: "     # pygls reads exactly this spelling
_LENGTH = re.compile(rb"Content-Length: *(\d+)")


class GuardedInput:
    """`readline`/`read` for pygls' `StdinAsyncReader` over a raw binary stream (stdin)."""

    def __init__(self, raw: BinaryIO, on_error: Callable[[str], None]):
        self.raw = raw
        self.on_error = on_error
        self._skipping = False
        self._tail = b""

    def readline(self) -> bytes:
        while True:
            line = self.raw.readline(MAX_HEADER_LINE)
            if not line:
                return line
            if self._skipping:
                synced = self._resync(line)
                if synced is None:
                    continue
                line = synced
            match = _LENGTH.match(line)
            if match and (len(match.group(1)) > 12 or int(match.group(1)) > MAX_CONTENT_LENGTH):
                value = match.group(1)
                shown = value.decode() if len(value) <= 24 else f"{value[:12].decode()}... ({len(value)} digits)"
                self.on_error(f"cachemount: refused a message with Content-Length {shown} (more than "
                              f"{MAX_CONTENT_LENGTH:,} bytes); skipping to the next message")
                self._skipping, self._tail = True, b""
                continue
            return line

    def _resync(self, chunk: bytes) -> bytes | None:
        """The next header line, from where `Content-Length: ` appears (None: not in this chunk)."""
        data = self._tail + chunk
        at = data.find(HEADER)
        if at < 0:
            # keep enough to find a header cut in two by the chunk size
            self._tail = data[-(len(HEADER) - 1):] if not data.endswith(b"\n") else b""
            return None
        self._skipping, self._tail = False, b""
        line = data[at:]
        if not line.endswith(b"\n"):
            line += self.raw.readline(MAX_HEADER_LINE)
        return line

    def read(self, n: int) -> bytes:
        return self.raw.read(n)
