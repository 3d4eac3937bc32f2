"""Reading and writing Dockerfiles without losing a byte: decode with the file's own encoding
(UTF-8, with or without BOM; UTF-16/32 with BOM), refuse binary, write back atomically with the
same encoding, BOM, line endings (they live in the text) and permissions."""
from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


class TextError(Exception):
    """A file that is not text we can read; the message is one clear line."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise TextError(f"not valid {encoding.upper()} text ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data[:8192]:
        raise TextError("binary file (contains NUL bytes), not a Dockerfile")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        raise TextError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def read(path: str) -> Decoded:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise TextError("no such file") from None
    except IsADirectoryError:
        raise TextError("is a directory") from None
    except OSError as exc:
        raise TextError(exc.strerror or str(exc)) from None
    return decode(data)


def write_atomic(path: str, text: str, encoding: str) -> None:
    """Write via a temp file in the same directory and rename over the original."""
    data = text.encode(encoding)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=".cachemount-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
