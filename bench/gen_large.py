#!/usr/bin/env python3
"""Deterministic generator of the benchmark Dockerfiles (the source of truth for bench/data/).

    python bench/gen_large.py            # (re)write bench/data/{typical,large}.Dockerfile
    python bench/gen_large.py --check    # exit 1 if the files on disk differ from the generator
    python bench/gen_large.py --stats    # print line / instruction / stage counts only

"typical" is a hand-written 38-line, 20-instruction, two-stage Python service: the size of most
real Dockerfiles. "large" matches the large file of shared/reference/peers.md: 50 stages of 40
instructions each (2,000 instructions, ~4,450 lines, ~180 KB), cycling through eight ecosystems
(Debian/Alpine bases; apt-get, apk, pip, npm, go, cargo) so that every rule has work to do:

- FROM <image> AS sN, sometimes FROM s<N-1>; COPY --from=s<N-1>;
- ARG/ENV (multi-line ENV, HOME/XDG_CACHE_HOME/PIP_CACHE_DIR overrides in some stages);
- useradd/adduser followed by USER switches back and forth (root <-> app/node/1000);
- WORKDIR, COPY of manifests, then a broad `COPY . .` (sometimes before the install, sometimes after);
- multi-line RUNs with backslash continuations, installs with and without
  `--mount=type=cache` (some with a right target, some with a wrong one or a defeating flag);
- a heredoc RUN in every fifth stage.

No randomness: every choice is a function of the stage index, so the output is byte-stable across
Python versions and machines.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

STAGES = 50
INSTRUCTIONS_PER_STAGE = 40

# ---------------------------------------------------------------------------------------------
# typical: written by hand, kept here so that the generator is the single source of truth.

TYPICAL = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
ARG APP_HOME=/app
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR ${APP_HOME}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends \\
      build-essential \\
      gcc \\
      git \\
      libpq-dev \\
      curl \\
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-cache-dir -r requirements.txt

# runtime image: non-root, only what the service needs
FROM python:3.12-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PATH=/home/app/.local/bin:$PATH
RUN apt-get update \\
 && apt-get install -y --no-install-recommends libpq5 \\
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 app \\
 && useradd --uid 1000 --gid app --create-home app
USER app
WORKDIR ${APP_HOME}
COPY --chown=app:app requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --user -r requirements.txt
COPY --from=build --chown=app:app ${APP_HOME}/src ./src
COPY --chown=app:app gunicorn.conf.py .
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \\
  CMD curl -fsS http://localhost:8000/healthz || exit 1
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:application"]
"""

# ---------------------------------------------------------------------------------------------
# large: 50 stages x 40 instructions.


@dataclass(frozen=True)
class Eco:
    """One ecosystem flavour: base image, OS package manager, language manager, user setup."""

    name: str
    image: str
    os_pm: str  # "apt" | "apk"
    lang: str  # "pip" | "npm" | "go" | "cargo"
    user: str  # name used with USER
    uid: int
    create_user: bool  # the image does not ship the user: add it
    home: str


ECOS = (
    Eco("py-debian", "python:3.12-slim-bookworm", "apt", "pip", "app", 1000, True, "/home/app"),
    Eco("node-debian", "node:20-bookworm-slim", "apt", "npm", "node", 1000, False, "/home/node"),
    Eco("go-alpine", "golang:1.22-alpine3.20", "apk", "go", "gopher", 1001, True, "/home/gopher"),
    Eco("rust-debian", "rust:1.79-slim-bookworm", "apt", "cargo", "rust", 1000, True, "/home/rust"),
    Eco("py-alpine", "python:3.12-alpine3.20", "apk", "pip", "app", 1000, True, "/home/app"),
    Eco("node-alpine", "node:20-alpine3.20", "apk", "npm", "node", 1000, False, "/home/node"),
    Eco("py-venv-debian", "debian:bookworm-slim", "apt", "pip", "svc", 999, True, "/srv/svc"),
    Eco("go-debian", "golang:1.22-bookworm", "apt", "go", "build", 1000, True, "/home/build"),
)

APT_SETS = (
    ("ca-certificates", "curl", "git", "gnupg", "lsb-release", "wget"),
    ("build-essential", "pkg-config", "libssl-dev", "libffi-dev", "zlib1g-dev", "libbz2-dev"),
    ("libpq-dev", "libxml2-dev", "libxslt1-dev", "libjpeg-dev", "libpng-dev", "tini"),
    ("jq", "unzip", "xz-utils", "openssh-client", "procps", "less", "vim-tiny"),
)
APK_SETS = (
    ("ca-certificates", "curl", "git", "bash", "coreutils", "wget"),
    ("build-base", "musl-dev", "linux-headers", "openssl-dev", "libffi-dev", "zlib-dev"),
    ("postgresql-dev", "libxml2-dev", "libxslt-dev", "jpeg-dev", "libpng-dev", "tini"),
    ("jq", "unzip", "xz", "openssh-client", "tzdata", "less", "vim"),
)

MANIFESTS = {
    "pip": (("requirements.txt",), ("requirements-dev.txt", "constraints.txt")),
    "npm": (("package.json", "package-lock.json"), (".npmrc",)),
    "go": (("go.mod", "go.sum"), ("tools.go",)),
    "cargo": (("Cargo.toml", "Cargo.lock"), ("rust-toolchain.toml",)),
}

CACHE_TARGET = {  # root's cache dirs (what most people write, right or wrong for the USER)
    "pip": "/root/.cache/pip",
    "npm": "/root/.npm",
    "go": "/go/pkg/mod",
    "cargo": "/usr/local/cargo/registry",
}


def on(i: int, salt: int, num: int, den: int) -> bool:
    """Deterministic 'num out of den' choice for stage i."""
    return (i * 7 + salt * 3) % den < num


def cont(lines: list[str]) -> list[str]:
    """Join a logical instruction's physical lines with ` \\` continuations."""
    return [line + " \\" for line in lines[:-1]] + [lines[-1]]


def mount(kind: str, target: str, extra: str = "") -> str:
    return f"--mount=type=cache,target={target}{extra}"


def os_install(eco: Eco, i: int, salt: int, pkgs: tuple[str, ...]) -> list[str]:
    """An apt-get / apk install RUN, cached in some stages, with the usual cleanup."""
    cached = on(i, salt, 2, 5)
    if eco.os_pm == "apt":
        head = "RUN"
        if cached:
            head = ("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked"
                    " --mount=type=cache,target=/var/lib/apt,sharing=locked")
        body = [f"{head} apt-get update", " && apt-get install -y --no-install-recommends"]
        body += [f"      {p}" for p in pkgs]
        if not cached or on(i, salt + 1, 1, 3):
            body.append(" && rm -rf /var/lib/apt/lists/*")
        return cont(body)
    head = "RUN --mount=type=cache,target=/var/cache/apk" if cached else "RUN"
    flag = "" if cached and not on(i, salt + 2, 1, 4) else " --no-cache"
    body = [f"{head} apk add{flag}"] + [f"      {p}" for p in pkgs]
    if cached:
        body.append(" && apk info -v | sort > /tmp/apk-versions.txt")
    return cont(body)


def add_user(eco: Eco) -> list[str]:
    if eco.os_pm == "apk":
        return cont([
            f"RUN addgroup -S -g {eco.uid} {eco.user}",
            f" && adduser -S -D -u {eco.uid} -G {eco.user} -h {eco.home} {eco.user}",
        ])
    return cont([
        f"RUN groupadd --system --gid {eco.uid} {eco.user}",
        f" && useradd --system --uid {eco.uid} --gid {eco.user} --create-home --home-dir {eco.home} {eco.user}",
    ])


def deps_install(eco: Eco, i: int) -> list[str]:
    """The dependency install right after the manifests (main target of CM101/CM102/CM103)."""
    cached = on(i, 5, 1, 2)
    tgt = CACHE_TARGET[eco.lang]
    if eco.lang == "pip":
        if eco.name == "py-venv-debian":
            pre = ["RUN python3 -m venv /opt/venv"]
            pip = "/opt/venv/bin/pip"
        else:
            pre = []
            pip = "pip"
        head = f"RUN {mount('pip', tgt)}" if cached else "RUN"
        nocache = " --no-cache-dir" if (not cached or on(i, 6, 1, 4)) else ""
        body = [f"{head} {pip} install --upgrade{nocache} pip setuptools wheel",
                f" && {pip} install{nocache} -r requirements.txt -c constraints.txt",
                f" && {pip} install{nocache} -r requirements-dev.txt"]
        return pre + cont(body)
    if eco.lang == "npm":
        head = f"RUN {mount('npm', tgt)}" if cached else "RUN"
        body = [f"{head} npm ci --no-audit --no-fund", " && npm cache verify"]
        if not cached:
            body.append(" && npm cache clean --force")
        return cont(body)
    if eco.lang == "go":
        head = (f"RUN {mount('go', tgt)} {mount('go', '/root/.cache/go-build')}" if cached else "RUN")
        return cont([f"{head} go mod download", " && go mod verify"])
    head = (f"RUN {mount('cargo', tgt)} {mount('cargo', '/app/target')}" if cached else "RUN")
    return cont([f"{head} mkdir -p src && echo 'fn main() {{}}' > src/main.rs",
                 " && cargo build --release --locked",
                 " && rm -rf src"])


def tool_install(eco: Eco, i: int) -> list[str]:
    cached = on(i, 8, 1, 3)
    if eco.lang == "pip":
        head = "RUN --mount=type=cache,target=/root/.cache/pip" if cached else "RUN"
        return cont([f"{head} pip install --user", "      ruff==0.6.9", "      pytest==8.3.3"])
    if eco.lang == "npm":
        head = "RUN --mount=type=cache,target=/root/.npm" if cached else "RUN"
        return cont([f"{head} npm install -g", "      typescript@5.6.3", "      pnpm@9.12.1"])
    if eco.lang == "go":
        head = "RUN --mount=type=cache,target=/go/pkg/mod" if cached else "RUN"
        return cont([f"{head} go install", "      golang.org/x/tools/cmd/goimports@v0.26.0"])
    head = "RUN --mount=type=cache,target=/usr/local/cargo/registry" if cached else "RUN"
    return cont([f"{head} cargo install --locked", "      cargo-audit@0.20.1"])


def build_step(eco: Eco, i: int) -> list[str]:
    if eco.lang == "pip":
        return cont(["RUN python -m compileall -q src", " && python -m build --wheel --outdir /out",
                     " && ls -la /out"])
    if eco.lang == "npm":
        return cont(["RUN npm run build", " && npm prune --omit=dev", " && mkdir -p /out",
                     " && cp -r dist /out/"])
    if eco.lang == "go":
        head = "RUN --mount=type=cache,target=/root/.cache/go-build" if on(i, 9, 1, 2) else "RUN"
        return cont([f"{head} CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'",
                     f"      -o /out/app{i} ./cmd/server"])
    head = "RUN --mount=type=cache,target=/usr/local/cargo/registry" if on(i, 9, 1, 2) else "RUN"
    return cont([f"{head} cargo build --release --locked", f" && install -D target/release/app /out/app{i}"])


def user_install(eco: Eco, i: int) -> list[str]:
    """An install that runs as the non-root user: cache mounts here often have the wrong target."""
    cached = on(i, 11, 2, 3)
    if eco.lang == "pip":
        tgt = f"{eco.home}/.cache/pip" if on(i, 12, 1, 2) else "/root/.cache/pip"
        uid = f",uid={eco.uid},gid={eco.uid}" if on(i, 13, 1, 2) else ""
        head = f"RUN --mount=type=cache,target={tgt}{uid}" if cached else "RUN"
        return cont([f"{head} pip install --user", "      -r requirements.txt",
                     "      gunicorn==23.0.0", "      uvicorn==0.31.1"])
    if eco.lang == "npm":
        tgt = f"{eco.home}/.npm" if on(i, 12, 1, 2) else "/root/.npm"
        uid = f",uid={eco.uid},gid={eco.uid}" if on(i, 13, 1, 2) else ""
        head = f"RUN --mount=type=cache,target={tgt}{uid}" if cached else "RUN"
        return cont([f"{head} npm install", "      --omit=dev", "      --no-audit", "      --no-fund"])
    if eco.lang == "go":
        head = (f"RUN --mount=type=cache,target={eco.home}/go/pkg/mod,uid={eco.uid}" if cached else "RUN")
        return cont([f"{head} go env -w GOFLAGS=-mod=mod", " && go mod download",
                     " && go vet ./...", " && go test -count=1 ./..."])
    head = (f"RUN --mount=type=cache,target={eco.home}/.cargo/registry,uid={eco.uid}" if cached
            else "RUN")
    return cont([f"{head} cargo fetch --locked", " && cargo test --release --locked --no-run",
                 " && cargo clippy --release", " && cargo doc --no-deps"])


def heredoc_run(eco: Eco, i: int) -> list[str]:
    pm = "apt-get" if eco.os_pm == "apt" else "apk"
    if pm == "apt-get":
        lines = ["RUN --mount=type=cache,target=/var/cache/apt,sharing=locked <<EOF",
                 "set -eux", "apt-get update",
                 "apt-get install -y --no-install-recommends ca-certificates tzdata"]
    else:
        lines = ["RUN <<EOF", "set -eux", "apk add --no-cache ca-certificates tzdata"]
    lines += [f"mkdir -p /etc/s{i} /var/log/s{i} && echo 'stage {i}' > /etc/s{i}/release", "EOF"]
    return lines


def stage(i: int) -> list[str]:
    eco = ECOS[i % len(ECOS)]
    name = f"s{i}"
    prev = f"s{i - 1}"
    manifests, extra_manifests = MANIFESTS[eco.lang]
    apt_or_apk = APT_SETS if eco.os_pm == "apt" else APK_SETS
    base = prev if (i > 0 and on(i, 1, 1, 6) and ECOS[(i - 1) % len(ECOS)] == eco) else eco.image
    user = eco.user if on(i, 2, 3, 4) else str(eco.uid)
    broad_copy_first = on(i, 3, 1, 3)  # COPY . . before the dependency install (CM201)
    out: list[list[str]] = []  # one entry per instruction
    blank = object()
    layout: list[object] = []

    def ins(lines: list[str]) -> None:
        out.append(lines)
        layout.append(lines)

    def gap(comment: str | None = None) -> None:
        layout.append(blank)
        if comment:
            layout.append([f"# {comment}"])

    gap(f"---- stage {name}: {eco.name} ----")
    ins([f"FROM {base} AS {name}"])                                                    # 1
    ins([f"ARG APP_VERSION=1.{i}.0"])                                                  # 2
    ins(["ARG BUILD_DATE"])                                                            # 3
    ins(cont([f'LABEL org.opencontainers.image.title="{name}"',
              '      org.opencontainers.image.version="${APP_VERSION}"',
              '      org.opencontainers.image.created="${BUILD_DATE}"',
              f'      org.opencontainers.image.description="stage {name} of the bench monorepo ({eco.name})"',
              '      org.opencontainers.image.source="https://example.invalid/bench/monorepo"']))             # 4
    env = ["ENV LANG=C.UTF-8", "    LC_ALL=C.UTF-8", "    TZ=UTC"]
    if eco.lang == "pip":
        env += ["    PYTHONDONTWRITEBYTECODE=1", "    PYTHONUNBUFFERED=1"]
    elif eco.lang == "npm":
        env += ["    NODE_ENV=production", "    NPM_CONFIG_UPDATE_NOTIFIER=false"]
    elif eco.lang == "go":
        env += ["    GOTOOLCHAIN=local", "    GOPATH=/go"]
    else:
        env += ["    CARGO_TERM_COLOR=never", "    CARGO_NET_RETRY=5"]
    ins(cont(env))                                                                     # 5
    ins([f"ENV PATH={eco.home}/.local/bin:/opt/venv/bin:$PATH"])                       # 6
    ins([f"WORKDIR /opt/{name}"])                                                      # 7
    gap("system packages")
    ins(os_install(eco, i, 1, apt_or_apk[i % 4]))                                      # 8
    if eco.os_pm == "apt":
        ins(cont(["RUN update-ca-certificates", " && ln -sf /usr/share/zoneinfo/UTC /etc/localtime"]))
    else:
        ins(cont(["RUN update-ca-certificates", " && cp /usr/share/zoneinfo/UTC /etc/localtime"]))  # 9
    if eco.create_user:
        ins(add_user(eco))                                                             # 10
    else:
        ins([f"RUN mkdir -p {eco.home}/.cache && chown -R {eco.uid}:{eco.uid} {eco.home}"])
    if on(i, 4, 1, 3):
        ins([f"ENV XDG_CACHE_HOME={eco.home}/.cache"])                                 # 11
    elif eco.lang == "pip" and on(i, 4, 1, 2):
        ins(["ENV PIP_CACHE_DIR=/var/cache/pip"])
    else:
        ins([f"ENV HOME={eco.home}"])
    ins(["WORKDIR /app"])                                                              # 12
    gap("dependencies")
    if broad_copy_first:
        ins(["COPY . ."])                                                              # 13
    else:
        ins([f"COPY {' '.join(manifests)} ./"])
    ins([f"COPY {' '.join(extra_manifests)} ./"])                                      # 14
    if eco.name == "py-venv-debian":
        # venv creation + install (two instructions); drop the tool install to keep 40
        dep = deps_install(eco, i)
        ins([dep[0]])                                                                  # 15
        ins(dep[1:])                                                                   # 16
    else:
        ins(deps_install(eco, i))                                                      # 15
        ins(tool_install(eco, i))                                                      # 16
    ins(["COPY config/ ./config/"])                                                    # 17
    ins(["COPY scripts/ ./scripts/"])                                                  # 18
    ins(["RUN chmod +x scripts/*.sh"])                                                 # 19
    if broad_copy_first:
        ins([f"COPY {' '.join(manifests)} ./"])                                        # 20
    else:
        ins(["COPY . ."])
    gap("build")
    ins(build_step(eco, i))                                                            # 21
    ins(cont(["RUN ./scripts/test.sh --fast", f"      --junit /out/junit-{name}.xml",
              f"      --log-file /tmp/test.log --label {name}",
              "      || (cat /tmp/test.log && exit 1)"]))                              # 22
    ins(["ARG FEATURE_FLAGS="])                                                        # 23
    ins(["ENV FEATURE_FLAGS=${FEATURE_FLAGS}"])                                        # 24
    ins(["USER root"])                                                                 # 25
    ins(os_install(eco, i, 2, apt_or_apk[(i + 2) % 4]))                                # 26
    if i % 5 == 4:
        ins(heredoc_run(eco, i))                                                       # 27
        # hadolint 2.15.1 rejects (DL1000) an instruction right after a heredoc terminator;
        # a blank line keeps the file parseable by every peer.
        layout.append(blank)
    else:
        ins(cont([f"RUN mkdir -p /out /data/{name} /var/log/{name}",
                  f" && chown -R {eco.uid}:{eco.uid} /out /data/{name} /var/log/{name}"]))
    ins([f"USER {user}"])                                                              # 28
    ins([f"WORKDIR {eco.home}/work"])                                                  # 29
    gap("runtime dependencies as the service user")
    ins(user_install(eco, i))                                                          # 30
    if i > 0:
        ins([f"COPY --from={prev} --chown={eco.uid}:{eco.uid} /out/ /deps/{prev}/"])   # 31
    else:
        ins([f"COPY --chown={eco.uid}:{eco.uid} assets/ ./assets/"])
    ins(["RUN ls -la /deps || true"])                                                  # 32
    ins(["ENV APP_ENV=production"])                                                    # 33
    ins([f"EXPOSE {8000 + i}"])                                                        # 34
    ins([f'VOLUME ["/data/{name}"]'])                                                  # 35
    if on(i, 7, 1, 2):
        ins(cont(["HEALTHCHECK --interval=30s --timeout=3s --retries=3",
                  f"  CMD wget -qO- http://127.0.0.1:{8000 + i}/healthz || exit 1"]))  # 36
    else:
        ins(["STOPSIGNAL SIGTERM"])
    ins(cont(["RUN mkdir -p /out/bin", f" && cp -a /out/app{i} /out/bin/ 2>/dev/null || true"]))  # 37
    ins([f'ENTRYPOINT ["/usr/bin/tini", "--", "/opt/{name}/entrypoint.sh"]'])          # 38
    ins([f'CMD ["serve", "--port", "{8000 + i}"]'])                                    # 39
    ins([f'LABEL stage="{name}" ecosystem="{eco.name}"'])                              # 40
    assert len(out) == INSTRUCTIONS_PER_STAGE, (i, len(out))

    text: list[str] = []
    for item in layout:
        if item is blank:
            text.append("")
        else:
            text.extend(item)  # type: ignore[arg-type]
    return text


def large() -> str:
    lines = ["# syntax=docker/dockerfile:1",
             "# Generated by bench/gen_large.py: do not edit by hand.",
             "# 50 stages x 40 instructions; a synthetic monorepo build for benchmarks."]
    for i in range(STAGES):
        lines.extend(stage(i))
    return "\n".join(lines) + "\n"


def typical() -> str:
    return TYPICAL


# ---------------------------------------------------------------------------------------------


def count(text: str) -> tuple[int, int, int]:
    """(lines, instructions, stages) by a tiny scanner that understands continuations and heredocs.

    Used only to report sizes; bench/ does not depend on cachemount's own parser.
    """
    lines = text.splitlines()
    n_ins = n_from = 0
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s or s.startswith("#"):
            i += 1
            continue
        n_ins += 1
        if s.split()[0].upper() == "FROM":
            n_from += 1
        heredoc = None
        if "<<" in s:
            tag = s.split("<<", 1)[1].split()[0].lstrip("-").strip("'\"")
            heredoc = tag
        while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
        i += 1
        if heredoc:
            while i < len(lines) and lines[i].strip() != heredoc:
                i += 1
            i += 1
    return len(lines), n_ins, n_from


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="verify bench/data matches the generator")
    ap.add_argument("--stats", action="store_true", help="print sizes only, write nothing")
    ap.add_argument("--out", type=Path, default=DATA, help="output directory (default bench/data)")
    args = ap.parse_args(argv)

    files = {"typical.Dockerfile": typical(), "large.Dockerfile": large()}
    status = 0
    for name, text in files.items():
        n_lines, n_ins, n_from = count(text)
        size = len(text.encode())
        path = args.out / name
        print(f"{name:20s} {n_lines:5d} lines {n_ins:5d} instructions {n_from:3d} stages {size:7d} bytes")
        if args.stats:
            continue
        if args.check:
            if not path.exists() or path.read_text() != text:
                print(f"  {path} is out of date: run python bench/gen_large.py", file=sys.stderr)
                status = 1
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"  wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
