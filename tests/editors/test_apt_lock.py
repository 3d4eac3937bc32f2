"""Installing an editor while another process holds apt's lock: the editor checks wait for the lock
(bounded), then fail with apt's own message; they never exit 77 or skip. apt-get, dpkg-query and id
are stand-ins on PATH here (the real lock is shared with whatever else runs on the machine); the
stand-in answers as apt-get does while the lock is held."""
import os
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

APT_GET = r"""#!/bin/bash
echo "$*" >>"$STUB_CALLS"
case " $* " in *" -o DPkg::Lock::Timeout="*) ;; *) echo "E: called without DPkg::Lock::Timeout" >&2; exit 100 ;; esac
if [ "$(date +%s)" -lt "$STUB_LOCK_UNTIL" ]; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
  echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?" >&2
  exit 100
fi
exit 0
"""


def stubs(tmp_path: Path, lock_seconds: float) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("apt-get", APT_GET), ("dpkg-query", "#!/bin/sh\necho 'unknown ok not-installed'\n"),
                       ("id", "#!/bin/sh\necho 0\n")):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STUB_CALLS": str(tmp_path / "calls"),
            "STUB_LOCK_UNTIL": str(int(time.time() + lock_seconds))}


def apt_install(env: dict, wait: int) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f'source "{HERE}/lib.sh"; apt_install some-editor'], capture_output=True,
                          text=True, timeout=120, env={**env, "CACHEMOUNT_APT_LOCK_WAIT": str(wait)})


def test_a_lock_released_in_time_is_waited_for(tmp_path):
    env = stubs(tmp_path, lock_seconds=3)
    proc = apt_install(env, wait=60)
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) >= 2 and "install -y" in calls[-1], calls   # tried again after the lock was released


def test_a_lock_held_too_long_fails_with_apts_message(tmp_path):
    env = stubs(tmp_path, lock_seconds=3600)
    start = time.monotonic()
    proc = apt_install(env, wait=4)
    assert proc.returncode == 1
    assert time.monotonic() - start < 60          # bounded
    assert "Could not get lock" in proc.stderr and "apt-get install some-editor failed" in proc.stderr


def test_the_neovim_check_fails_not_skips_when_apt_is_locked(tmp_path):
    env = {**stubs(tmp_path, lock_seconds=3600), "CACHEMOUNT_APT_LOCK_WAIT": "3"}
    proc = subprocess.run(["bash", str(HERE / "run-nvim-check.sh"), "0.7"], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Could not get lock" in proc.stderr and "could not be installed" in proc.stderr


def test_the_emacs_check_fails_not_skips_when_apt_is_locked(tmp_path):
    env = {**stubs(tmp_path, lock_seconds=3600), "CACHEMOUNT_APT_LOCK_WAIT": "3"}
    proc = subprocess.run(["bash", str(HERE / "run-emacs-check.sh")], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Could not get lock" in proc.stderr and "could not be installed" in proc.stderr
