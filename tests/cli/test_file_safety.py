"""`cachemount check [--fix]` and the files it touches: only regular files are read (FIFOs, devices
and sockets are refused without opening them, and the size is capped); --fix writes through symlinks,
never splits hard links, never overwrites a change made after the read, never recreates a deleted
file, and keeps owner, mode, encoding, byte order and BOM."""
from __future__ import annotations

import codecs
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile

import pytest

from cachemount import textio
from cachemount.cli import commands as cli
from cachemount.settings.model import DEFAULT

PIP = "FROM python:3.12\nRUN pip install -r requirements.txt\n"
FIXED = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics")


def run(*args, stdin=None, cwd=None, timeout=60):
    """The CLI in a child process; the timeout turns a hang (a FIFO opened for reading) into a failure."""
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


SUMMARY = re.compile(r"^Found \d+ findings? \(.*\n", re.M)


def main(capsys, *args):
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, SUMMARY.sub("", err)   # the closing summary line has its own test (test_cli.py)


def leftovers(directory):
    return [p.name for p in directory.iterdir() if p.name.startswith(".cachemount-")]


def test_fixed_text_is_what_apply_all_gives():
    from cachemount.lint import apply_all
    assert apply_all(PIP, DEFAULT)[0] == FIXED


# --- symlinks and hard links -------------------------------------------------------------------------

@POSIX
def test_fix_through_symlink_chain_writes_the_real_file_and_keeps_the_links(tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "Dockerfile.real"
    real.write_text(PIP)
    os.chmod(real, 0o640)
    middle = tmp_path / "middle.Dockerfile"
    middle.symlink_to(os.path.relpath(real, tmp_path))
    link = tmp_path / "Dockerfile"
    link.symlink_to("middle.Dockerfile")

    code, _, err = main(capsys, "--fix", str(link))
    assert code == 0 and f"{link}: fixed 1 finding" in err
    assert link.is_symlink() and os.readlink(link) == "middle.Dockerfile"
    assert middle.is_symlink() and os.readlink(middle) == os.path.join("real", "Dockerfile.real")
    assert real.read_text() == FIXED and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(real_dir) == []


@POSIX
def test_fix_refuses_a_hard_linked_file_and_splits_nothing(tmp_path, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    other = tmp_path / "copy.Dockerfile"
    os.link(path, other)

    code, out, err = main(capsys, "--fix", str(path))
    assert code == 2
    assert err.strip() == (f"cachemount: {path}: has 2 hard links; not fixed, because writing would split them "
                           "(apply `--fix --diff` by hand, or break the link first)")
    assert path.read_text() == PIP and other.read_text() == PIP
    assert os.stat(path).st_ino == os.stat(other).st_ino and os.stat(path).st_nlink == 2
    assert f"{path}:2:5: CM101" in out   # what was not fixed is still reported
    assert leftovers(tmp_path) == []
    code, out, _ = main(capsys, "--fix", "--diff", str(path))   # the suggested way still works
    assert code == 1 and "+RUN --mount=type=cache,target=/root/.cache/pip" in out


# --- the file changes between read and write ------------------------------------------------------

def _during_fix(monkeypatch, action):
    """Run `action` after the file was read and before it is written, as an editor's save would."""
    import cachemount.lint as fixes

    real = fixes.apply_all

    def apply_all(text, settings, **kwargs):
        result = real(text, settings, **kwargs)
        action()
        return result

    monkeypatch.setattr(fixes, "apply_all", apply_all)


def test_fix_does_not_overwrite_an_edit_made_after_the_read(tmp_path, monkeypatch, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    edited = PIP + "# saved by the editor meanwhile\n"
    _during_fix(monkeypatch, lambda: path.write_text(edited))
    code, _, err = main(capsys, "--fix", str(path))
    assert code == 2 and path.read_text() == edited
    assert err.strip() == (f"cachemount: {path}: changed on disk after it was read; not overwritten "
                           "(run cachemount again)")
    assert leftovers(tmp_path) == []


def test_same_size_same_mtime_edit_is_still_detected(tmp_path):
    """Timestamps are coarse: an edit within one tick keeps size and mtime, so bytes are compared."""
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    decoded = textio.read(str(path))
    before = os.stat(path)
    edited = PIP.replace("requirements", "REQUIREMENTS")
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    with pytest.raises(textio.TextError, match="changed on disk after it was read"):
        textio.write_atomic(str(path), FIXED, decoded)
    assert path.read_text() == edited


def test_fix_does_not_recreate_a_deleted_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    _during_fix(monkeypatch, path.unlink)
    code, _, err = main(capsys, "--fix", str(path))
    assert code == 2 and not path.exists() and list(tmp_path.iterdir()) == []
    assert err.strip() == f"cachemount: {path}: was deleted after it was read; not recreating it"


@POSIX
def test_fix_does_not_overwrite_a_file_replaced_by_rename(tmp_path, monkeypatch, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    other = tmp_path / "new"
    other.write_text(PIP)   # same bytes, but another file: an editor's save-by-rename

    _during_fix(monkeypatch, lambda: os.replace(other, path))
    inode = os.stat(other).st_ino
    code, _, err = main(capsys, "--fix", str(path))
    assert code == 2 and "was replaced on disk after it was read" in err
    assert os.stat(path).st_ino == inode and path.read_text() == PIP


def test_write_atomic_needs_a_snapshot(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    with pytest.raises(ValueError):
        textio.write_atomic(str(path), FIXED, textio.decode(PIP.encode()))
    assert path.read_text() == PIP


# --- owner, mode, encoding, byte order, BOM -----------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_root_fixing_another_users_file_keeps_its_owner_and_mode(tmp_path, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    os.chown(path, 4321, 4322)
    os.chmod(path, 0o2664)
    code, _, _ = main(capsys, "--fix", str(path))
    st = os.stat(path)
    assert code == 0 and path.read_text() == FIXED
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o2664)


@pytest.mark.parametrize("bom, codec", [
    (b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
])
def test_fix_keeps_encoding_byte_order_and_bom(tmp_path, capsys, bom, codec):
    path = tmp_path / "Dockerfile"
    crlf = PIP.replace("\n", "\r\n") + "# é😀\r\n"
    path.write_bytes(bom + crlf.encode(codec))
    code, _, _ = main(capsys, "--fix", str(path))
    expected = bom + (FIXED.replace("\n", "\r\n") + "# é😀\r\n").encode(codec)
    assert code == 0 and path.read_bytes() == expected
    assert main(capsys, "--fix", str(path))[0] == 0 and path.read_bytes() == expected


def test_decode_reports_byte_offsets_in_the_file_and_the_exact_encoding():
    with pytest.raises(textio.TextError, match=r"not valid UTF-16-BE text \(.* at byte 4\)"):
        textio.decode(codecs.BOM_UTF16_BE + "a".encode("utf-16-be") + b"\xdc\x00")
    got = textio.decode(codecs.BOM_UTF16_BE + "FROM a\n".encode("utf-16-be"))
    assert (got.text, got.encoding, got.bom) == ("FROM a\n", "utf-16-be", codecs.BOM_UTF16_BE)


def test_stdin_fix_answers_in_the_input_encoding():
    data = codecs.BOM_UTF16_BE + PIP.encode("utf-16-be")
    proc = subprocess.run([sys.executable, "-m", "cachemount", "check", "--fix", "-"], input=data,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == codecs.BOM_UTF16_BE + FIXED.encode("utf-16-be")


# --- special files and the size cap ------------------------------------------------------------------

@POSIX
def test_fifo_named_dockerfile_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    code, out, err = run("check", str(fifo), timeout=30)
    assert code == 2 and out == ""
    assert err.strip() == f"cachemount: {fifo}: is a FIFO (named pipe), not a regular file"


@POSIX
def test_special_files_in_a_scanned_tree_are_skipped_with_an_error_and_the_rest_is_checked(tmp_path):
    os.mkfifo(tmp_path / "Dockerfile")
    if os.path.exists("/dev/zero"):
        (tmp_path / "zero.Dockerfile").symlink_to("/dev/zero")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(PIP)
    (tmp_path / "link.Dockerfile").symlink_to(os.path.join("app", "Dockerfile"))   # fine: a regular file
    code, out, err = run("check", str(tmp_path), timeout=30)
    assert code == 2
    assert sorted(line.split(":")[0] for line in out.splitlines()) == [
        str(tmp_path / "app" / "Dockerfile"), str(tmp_path / "link.Dockerfile")]
    errors = err.strip().splitlines()
    assert f"cachemount: {tmp_path / 'Dockerfile'}: is a FIFO (named pipe), not a regular file; skipped" in errors
    if os.path.exists("/dev/zero"):
        assert (f"cachemount: {tmp_path / 'zero.Dockerfile'}: is a character device, not a regular file; skipped"
                in errors)


@POSIX
def test_discover_never_opens_files(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "Dockerfile")
    (tmp_path / "a.Dockerfile").write_text(PIP)

    def no_open(*a, **k):
        raise AssertionError("discover opened a file")

    monkeypatch.setattr(os, "open", no_open)
    monkeypatch.setattr("builtins.open", no_open)
    files, errors = cli.discover([str(tmp_path)])
    assert files == [str(tmp_path / "a.Dockerfile")]
    assert errors == [f"{tmp_path / 'Dockerfile'}: is a FIFO (named pipe), not a regular file; skipped"]


@POSIX
def test_sockets_and_devices_are_refused(capsys):
    directory = tempfile.mkdtemp(prefix="cm-")   # short: AF_UNIX paths are limited to ~100 bytes
    try:
        path = os.path.join(directory, "Dockerfile")
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(path)
            code, _, err = main(capsys, path)
        finally:
            sock.close()
        assert code == 2 and err.strip() == f"cachemount: {path}: is a socket, not a regular file"
    finally:
        shutil.rmtree(directory)
    if os.path.exists("/dev/null"):
        code, _, err = main(capsys, "/dev/null")
        assert code == 2 and err.strip() == "cachemount: /dev/null: is a character device, not a regular file"


def test_files_over_the_cap_are_refused_before_reading(tmp_path, capsys, monkeypatch):
    path = tmp_path / "Dockerfile"
    with open(path, "wb") as fh:
        fh.truncate(textio.MAX_FILE_BYTES + 1)   # sparse: costs no disk
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    code, _, err = main(capsys, str(path))
    assert code == 2 and reads == []
    assert err.strip() == (f"cachemount: {path}: file too large ({textio.MAX_FILE_BYTES + 1} bytes); "
                           "cachemount reads at most 10 MiB")
    assert textio.MAX_FILE_BYTES == 10 * 1024 * 1024


def test_a_file_at_the_cap_is_read(tmp_path):
    path = tmp_path / "Dockerfile"
    body = PIP + "#" * (textio.MAX_FILE_BYTES - len(PIP) - 1) + "\n"
    path.write_text(body)
    assert textio.read(str(path)).text == body


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_a_file_that_understates_its_size_is_still_capped():
    # /proc files report size 0 but have content: the cap must hold while reading, not only from stat.
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(textio.TextError, match="file too large; cachemount reads at most 16 bytes"):
        textio.read_regular_bytes("/proc/self/status", 16)
    data, _ = textio.read_regular_bytes("/proc/self/status")
    assert b"Name:" in data


def test_stdin_over_the_cap_is_refused():
    code, out, err = run("check", "-", stdin=b"#" * (textio.MAX_FILE_BYTES + 1))
    assert code == 2 and out == ""
    assert err.strip() == "cachemount: <stdin>: file too large; cachemount reads at most 10 MiB"


def test_read_regular_bytes_for_settings_files(tmp_path):
    """The helper the settings loader can use: regular files only, capped, one-line errors."""
    path = tmp_path / ".cachemount.toml"
    path.write_bytes(b"rules = {}\n")
    data, st = textio.read_regular_bytes(str(path), 1024)
    assert data == b"rules = {}\n" and st.st_size == len(data)
    with pytest.raises(textio.TextError, match="file too large"):
        textio.read_regular_bytes(str(path), 4)
    with pytest.raises(textio.TextError, match="is a directory"):
        textio.read_regular_bytes(str(tmp_path))
    with pytest.raises(textio.TextError, match="no such file"):
        textio.read_regular_bytes(str(tmp_path / "missing"))


def test_an_oversized_settings_file_is_one_problem_line_and_defaults_apply(tmp_path):
    """Settings files are read like Dockerfiles: regular files under the size cap. One that cannot
    be read is an error (exit 2), and the Dockerfile is still checked with the defaults."""
    (tmp_path / ".cachemount.toml").write_text("# " + "x" * (11 * 1024 * 1024) + "\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nRUN pip install x\n")
    proc = subprocess.run([sys.executable, "-m", "cachemount", "check", str(tmp_path / "Dockerfile")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "CM101" in proc.stdout
    problems = [line for line in proc.stderr.splitlines() if ".cachemount.toml" in line]
    assert len(problems) == 1 and "cannot read settings" in problems[0], proc.stderr
    assert "Traceback" not in proc.stderr
