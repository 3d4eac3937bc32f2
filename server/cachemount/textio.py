"""Reading and writing Dockerfiles without losing a byte: decode with the file's own encoding
(UTF-8, with or without BOM; UTF-16/32 LE or BE with BOM), refuse binary, read only regular files
up to `MAX_FILE_BYTES`, and write back atomically with the same encoding, byte order, BOM, line
endings (they live in the text), permissions and owner, to the real file behind a symlink, and only
if the file is still exactly what was read."""
from __future__ import annotations

import codecs
import os
import stat

from .records import Record, field, replace

MAX_FILE_BYTES = 10 * 1024 * 1024   # far above any real Dockerfile; stops /dev/zero-like input early
_LIMIT_TEXT = "10 MiB"

# UTF-32 LE before UTF-16 LE: its BOM starts with the UTF-16 LE one. The codec is the one for the
# text after the BOM, so writing back keeps the byte order ("utf-16" would re-encode as native LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class TextError(Exception):
    """A file that is not text we can read, or cannot safely write; the message is one clear line."""


class Snapshot(Record):
    """The file as it was read; `write_atomic` refuses to replace it if any of this changed."""
    real_path: str     # symlinks resolved: the file that is read and written
    dev: int
    ino: int
    size: int
    mtime_ns: int
    mode: int          # permission bits (incl. set-id and sticky)
    uid: int
    gid: int
    data: bytes = field(repr=False)   # the bytes read (kept, not hashed: loading hashlib costs every start)


class Decoded(Record):
    text: str
    encoding: str              # codec for the text after the BOM
    bom: bytes = b""
    source: Snapshot | None = None   # None for stdin or bytes from elsewhere

    def encode(self, text: str) -> bytes:
        """`text` in exactly this file's encoding, byte order and BOM."""
        return self.bom + text.encode(self.encoding)


def decode(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(encoding), encoding, bom)
            except UnicodeDecodeError as exc:
                label = f"{encoding.upper()}{' with BOM' if encoding == 'utf-8' else ''}"
                raise TextError(f"not valid {label} text ({exc.reason} at byte {exc.start + len(bom)})") from None
    if b"\x00" in data[:8192]:
        raise TextError("binary file (contains NUL bytes), not a Dockerfile")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        raise TextError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _os_error(exc: OSError) -> TextError:
    if isinstance(exc, FileNotFoundError):
        return TextError("no such file")
    if isinstance(exc, IsADirectoryError):
        return TextError("is a directory")
    return TextError(exc.strerror or str(exc))


def _too_large(size: int | None, cap: int) -> TextError:
    limit = _LIMIT_TEXT if cap == MAX_FILE_BYTES else f"{cap} bytes"
    got = f" ({size} bytes)" if size is not None else ""
    return TextError(f"file too large{got}; cachemount reads at most {limit}")


def _refuse_special(st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise TextError("is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise TextError(f"is {_kind(st.st_mode)}, not a regular file")


def check_regular(path: str) -> os.stat_result:
    """stat (following symlinks) without opening: opening a FIFO blocks and opening a device can have
    side effects. Raises TextError unless `path` is a regular file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_error(exc) from None
    _refuse_special(st)
    return st


def _read_fd(fd: int, cap: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(1 << 20, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:   # grew past the cap after the size check (or lies about its size)
            raise _too_large(None, cap)


def read_regular_bytes(path: str, cap: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file (symlinks followed) and its stat, refusing FIFOs, devices,
    sockets, directories and anything over `cap` bytes, with a one-line TextError. Never blocks."""
    st = check_regular(path)
    if st.st_size > cap:
        raise _too_large(st.st_size, cap)
    try:
        fd = os.open(path, _OPEN_FLAGS)   # O_NONBLOCK: a FIFO swapped in after the stat cannot hang us
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        st = os.fstat(fd)
        _refuse_special(st)
        if st.st_size > cap:
            raise _too_large(st.st_size, cap)
        try:
            return _read_fd(fd, cap), st
        except OSError as exc:
            raise _os_error(exc) from None
    finally:
        os.close(fd)


def read_stream(stream, cap: int = MAX_FILE_BYTES) -> Decoded:
    """Decode a binary stream (stdin), reading at most `cap` bytes."""
    try:
        data = stream.read(cap + 1)
    except OSError as exc:
        raise _os_error(exc) from None
    if len(data) > cap:
        raise _too_large(None, cap)
    return decode(data)


def read(path: str) -> Decoded:
    data, st = read_regular_bytes(path)
    decoded = decode(data)
    snap = Snapshot(os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns,
                    stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, data)
    return replace(decoded, source=snap)


def _check_unchanged(src: Snapshot) -> None:
    """Refuse (TextError) unless the file on disk is still the one read, byte for byte."""
    try:
        st = os.lstat(src.real_path)   # lstat: a symlink put in its place is a change too
    except FileNotFoundError:
        raise TextError("was deleted after it was read; not recreating it") from None
    except OSError as exc:
        raise TextError(f"cannot check the file before writing ({exc.strerror or exc})") from None
    if (st.st_dev, st.st_ino) != (src.dev, src.ino) or not stat.S_ISREG(st.st_mode):
        raise TextError("was replaced on disk after it was read; not overwritten (run cachemount again)")
    if st.st_nlink > 1:
        # Replacing the file would split the hard link; writing in place could leave a half-written
        # file. Refusing keeps both the link and the text.
        raise TextError(f"has {st.st_nlink} hard links; not fixed, because writing would split them "
                        "(apply `--fix --diff` by hand, or break the link first)")
    changed = (st.st_size, st.st_mtime_ns) != (src.size, src.mtime_ns)
    if not changed:   # timestamps are coarse: an edit in the same tick keeps mtime, so compare bytes
        try:
            data, _ = read_regular_bytes(src.real_path, max(src.size, 0))
        except TextError:
            changed = True
        else:
            changed = data != src.data
    if changed:
        raise TextError("changed on disk after it was read; not overwritten (run cachemount again)")


def _copy_owner(fd: int, src: Snapshot) -> None:
    if not hasattr(os, "fchown"):
        return
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) == (src.uid, src.gid):
        return
    try:
        os.fchown(fd, src.uid, src.gid)
    except OSError:
        if os.geteuid() == 0:
            raise   # root can always chown: a failure must not hand the user's file to root
        try:   # an ordinary user can at least keep a group they belong to
            os.fchown(fd, -1, src.gid)
        except OSError:
            pass


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, text: str, original: Decoded) -> None:
    """Replace the file `original` was read from (`path`, or the real file behind it if `path` is a
    symlink, which stays a symlink) with `text`: a temp file in the same directory with the same
    encoding, BOM, mode and owner, renamed over it. Raises TextError, writing nothing, if the file
    changed, vanished or has hard links since it was read; OSError if the write itself fails."""
    src = original.source
    if src is None:
        raise ValueError(f"write_atomic({path!r}): the Decoded must come from read()")
    data = original.encode(text)
    _check_unchanged(src)
    import tempfile   # here: a check that writes nothing need not load it (and random, hashlib)

    directory = os.path.dirname(src.real_path)
    fd, tmp = tempfile.mkstemp(prefix=".cachemount-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            _copy_owner(fh.fileno(), src)
            os.chmod(tmp, src.mode)   # after chown, which clears set-id bits
            os.fsync(fh.fileno())
        _check_unchanged(src)   # again at the last moment: an editor may have saved meanwhile
        os.replace(tmp, src.real_path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)
