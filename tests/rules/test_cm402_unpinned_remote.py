"""CM402 unpinned-remote: a RUN clones a repository with no pinned ref or downloads a URL with a
moving segment; versioned URLs, tags, commits, unknown values and ADD stay quiet."""
import pytest

from cachemount.lint import apply_all, lint
from cachemount.rules import BY_CODE
from tests.rules.helpers import findings


def one(text, span=None):
    got = findings(text, "CM402")
    assert len(got) == 1, [(f.message, text[f.start:f.end]) for f in got]
    f = got[0]
    if span is not None:
        assert text[f.start:f.end] == span
    return f


def test_registered_without_a_fix():
    rule = BY_CODE["CM402"]
    assert (rule.name, rule.severity) == ("unpinned-remote", "information")
    assert rule.module.FIXABLE is False
    assert rule.documentation.fixed, "the page still shows a pin written by hand"


FIRE = [
    # (id, text, span, words the message must contain)
    ("clone-default-branch", "FROM alpine\nRUN git clone https://github.com/org/tool /opt/tool\n",
     "https://github.com/org/tool", ("default branch", "--branch v1.2.3", "git checkout <sha>")),
    ("clone-depth", "FROM alpine\nRUN git clone --depth 1 --single-branch https://github.com/org/tool.git\n",
     "https://github.com/org/tool.git", ("default branch",)),
    ("clone-ssh-scp", "FROM alpine\nRUN git clone git@github.com:org/tool.git\n", "git@github.com:org/tool.git", ()),
    ("clone-git-protocol", "FROM alpine\nRUN git clone git://example.org/tool.git\n", "git://example.org/tool.git", ()),
    ("clone-branch-main", "FROM alpine\nRUN git clone --branch main https://github.com/org/tool\n", "main",
     ("branch `main`",)),
    ("clone-b-master", "FROM alpine\nRUN git clone -b master https://github.com/org/tool\n", "master", ()),
    ("clone-branch-equals", "FROM alpine\nRUN git clone --branch=develop https://github.com/org/tool\n",
     "--branch=develop", ("branch `develop`",)),
    ("clone-branch-HEAD", "FROM alpine\nRUN git clone --branch HEAD https://github.com/org/tool\n", "HEAD", ()),
    ("clone-branch-from-arg", "FROM alpine\nARG REF=main\nRUN git clone --branch $REF https://github.com/org/tool\n",
     "$REF", ("branch `main`",)),
    ("clone-global-options", "FROM alpine\nRUN git -c advice.detachedHead=false clone https://github.com/org/tool\n",
     "https://github.com/org/tool", ()),
    ("clone-checkout-moving", "FROM alpine\nRUN git clone https://github.com/org/tool && cd tool "
                              "&& git checkout origin/main\n", "https://github.com/org/tool", ()),
    ("clone-url-from-arg", "FROM alpine\nARG REPO=https://github.com/org/tool\nRUN git clone $REPO /src\n", "$REPO",
     ("https://github.com/org/tool",)),
    ("curl-latest-release", "FROM alpine\nRUN curl -fsSLo /usr/local/bin/t "
                            "https://github.com/org/t/releases/latest/download/t-linux-amd64\n",
     "https://github.com/org/t/releases/latest/download/t-linux-amd64", ("`latest` moves", "ADD --checksum=sha256:")),
    ("curl-raw-master-pipe-sh", "FROM alpine\nRUN curl -fsSL https://raw.githubusercontent.com/org/t/master/install.sh"
                                " | sh\n", "https://raw.githubusercontent.com/org/t/master/install.sh", ()),
    ("wget-archive-main", "FROM alpine\nRUN wget -qO- https://github.com/org/t/archive/refs/heads/main.tar.gz "
                          "| tar xz\n", "https://github.com/org/t/archive/refs/heads/main.tar.gz", ("`main.tar.gz`",)),
    ("wget-latest-tarball", "FROM alpine\nRUN wget https://wordpress.org/latest.tar.gz\n",
     "https://wordpress.org/latest.tar.gz", ()),
    ("curl-query-value", "FROM alpine\nRUN curl -o a.jar 'https://repo.example.org/get?a=x&v=LATEST'\n",
     "'https://repo.example.org/get?a=x&v=LATEST'", ("`LATEST`",)),
    ("curl-nightly", "FROM alpine\nRUN curl -LO https://example.org/builds/nightly/tool.tgz\n",
     "https://example.org/builds/nightly/tool.tgz", ()),
    ("url-from-arg-default", "FROM alpine\nARG V=latest\nRUN curl -LO https://example.org/tool/${V}/tool.tgz\n",
     "https://example.org/tool/${V}/tool.tgz", ("https://example.org/tool/latest/tool.tgz",)),
    ("url-from-env", "FROM alpine\nENV CHANNEL=nightly\nRUN wget https://example.org/$CHANNEL/t.zip\n",
     "https://example.org/$CHANNEL/t.zip", ()),
    ("url-from-an-assignment-in-the-run", "FROM alpine\nRUN V=latest && curl -LO https://example.org/$V/t.tgz\n",
     "https://example.org/$V/t.tgz", ()),
    ("literal-moving-part-next-to-unknown-one", "FROM alpine\nARG FORK\n"
                                                "RUN curl -s https://api.github.com/repos/${FORK}/x/releases/latest\n",
     "https://api.github.com/repos/${FORK}/x/releases/latest", ()),
    ("installer-without-a-version", "FROM alpine\nRUN curl -sSf https://raw.githubusercontent.com/org/t/master/"
                                    "install.sh | bash\n", "https://raw.githubusercontent.com/org/t/master/install.sh",
     ()),
    ("installer-told-only-options", "FROM alpine\nRUN curl -sSf https://raw.githubusercontent.com/org/t/master/"
                                    "install.sh | sh -s -- -y\n", "https://raw.githubusercontent.com/org/t/master/"
                                    "install.sh", ()),
    ("installer-told-latest", "FROM alpine\nARG V=latest\nRUN curl -sSf https://raw.githubusercontent.com/org/t/"
                              "master/install.sh | sh -s $V\n", "https://raw.githubusercontent.com/org/t/master/"
                              "install.sh", ()),
    ("main-outside-the-archive-layout", "FROM alpine\nRUN curl -LO https://example.org/tool/main/t.tgz\n",
     "https://example.org/tool/main/t.tgz", ()),
    ("continuation", "FROM alpine\nRUN curl -fsSL \\\n      https://example.org/latest/t.tgz \\\n    | tar xz\n",
     "https://example.org/latest/t.tgz", ()),
    ("heredoc", "FROM alpine\nRUN <<EOF\nset -e\ngit clone https://github.com/org/tool\nEOF\n",
     "https://github.com/org/tool", ()),
    ("exec-form", 'FROM alpine\nRUN ["git", "clone", "https://github.com/org/tool"]\n',
     '"https://github.com/org/tool"', ()),
    ("sh-c", "FROM alpine\nRUN sh -c 'curl -LO https://example.org/latest/t.tgz'\n",
     "https://example.org/latest/t.tgz", ()),
    ("command-substitution", "FROM alpine\nRUN curl -LO \"https://example.org/$(curl -s https://example.org/latest/"
                             "VERSION)/t.tgz\"\n", "https://example.org/latest/VERSION", ()),
]


@pytest.mark.parametrize("case_id, text, span, words", FIRE, ids=[c[0] for c in FIRE])
def test_fires(case_id, text, span, words):
    f = one(text, span)
    assert f.severity == "information"
    assert "layer cache re-uses this RUN without asking the network" in f.message
    for w in words:
        assert w in f.message
    assert not f.fixes
    assert apply_all(text, unsafe=True)[0] == apply_all(text, unsafe=True)[0]


SILENT = [
    ("clone-tag", "FROM alpine\nRUN git clone --depth 1 --branch v1.4.2 https://github.com/org/tool\n"),
    ("clone-b-tag", "FROM alpine\nRUN git clone -b 2.0.1 https://github.com/org/tool\n"),
    ("clone-revision", "FROM alpine\nRUN git clone --revision=1a2b3c4d https://github.com/org/tool\n"),
    ("clone-then-checkout-sha", "FROM alpine\nRUN git clone https://github.com/org/tool && cd tool "
                                "&& git checkout 1a2b3c4d5e6f\n"),
    ("clone-then-git-C-reset", "FROM alpine\nRUN git clone https://github.com/org/tool /t && git -C /t reset --hard v2\n"),
    ("clone-then-switch-detach", "FROM alpine\nRUN git clone https://github.com/org/tool t && cd t "
                                 "&& git switch --detach v1.0\n"),
    ("clone-then-checkout-unknown", "FROM alpine\nARG SHA\nRUN git clone https://github.com/org/tool t && cd t "
                                    "&& git checkout $SHA\n"),
    ("clone-then-checkout-b-from-tag", "FROM alpine\nRUN git clone https://github.com/org/tool t && cd t "
                                       "&& git checkout -b work v1.0\n"),
    ("clone-branch-unknown-arg", "FROM alpine\nARG VERSION\n"
                                 "RUN git clone --branch \"$VERSION\" https://github.com/org/tool\n"),
    ("clone-branch-parameter-expansion", "FROM alpine\nARG V=v1.2@abc\n"
                                         "RUN git clone --branch \"${V%%@*}\" https://github.com/org/tool\n"),
    ("clone-local-path", "FROM alpine\nCOPY . /src\nRUN git clone /src /build\n"),
    ("clone-unknown-address", "FROM alpine\nARG REPO\nRUN git clone $REPO /src\n"),
    ("clone-release-branch", "FROM alpine\nRUN git clone --branch release-1.2 https://github.com/org/tool\n"),
    ("not-a-clone", "FROM alpine\nRUN git config --global url.https://github.com/.insteadOf git@github.com:\n"),
    ("curl-versioned", "FROM alpine\nRUN curl -fsSLo t https://github.com/org/t/releases/download/v1.2.3/t\n"),
    ("curl-versioned-arg", "FROM alpine\nARG V=1.2.3\nRUN curl -LO https://example.org/tool/${V}/tool.tgz\n"),
    ("curl-unknown-arg", "FROM alpine\nARG V\nRUN curl -LO https://example.org/tool/${V}/tool.tgz\n"),
    ("curl-word-inside-a-name", "FROM alpine\nRUN curl -LO https://example.org/dl/tool-latest-linux.tgz\n"),
    ("curl-moving-word-in-the-host", "FROM alpine\nRUN curl -LO https://latest.example.org/t-1.2.tgz\n"),
    ("curl-no-url", "FROM alpine\nRUN curl --version && wget --help\n"),
    ("conditional-assignment-unknown", "FROM alpine\n"
                                       "RUN if [ -n \"$X\" ]; then V=latest; fi; curl -LO https://example.org/$V/t\n"),
    ("data-heredoc", "FROM alpine\nRUN <<EOF cat > /notes\ngit clone https://github.com/org/tool\nEOF\n"),
    ("echo-not-fetch", "FROM alpine\nRUN echo https://example.org/latest/t.tgz\n"),
    ("debian-archive-component-pool", "FROM debian:12\nRUN wget http://snapshot.debian.org/archive/debian/"
                                      "20251018T202603Z/pool/main/d/distro-info-data/distro-info-data_0.68_all.deb\n"),
    ("debian-archive-component-dists", "FROM ubuntu:24.04\nRUN curl -s https://repo.example.org/ubuntu/dists/noble/"
                                       "main/binary-amd64/Packages | grep Version\n"),
    ("installer-told-the-version", "FROM golang:1.23\nRUN wget -O- -nv https://raw.githubusercontent.com/golangci/"
                                   "golangci-lint/master/install.sh | sh -s v1.55.2\n"),
    ("installer-told-an-unknown-version", "FROM golang:1.23\nARG V\nRUN curl -sSfL https://raw.githubusercontent.com/"
                                          "org/t/master/install.sh | sh -s -- -b /usr/local/bin ${V}\n"),
    ("add-url", "FROM alpine\nADD https://example.org/latest/t.tgz /t.tgz\n"),
    ("add-url-no-checksum", "FROM alpine\nADD https://example.org/t-1.2.tgz /t.tgz\n"),
    ("add-git", "FROM alpine\nADD https://github.com/org/tool.git#main /src\n"),
    ("suppressed", "FROM alpine\n# cachemount: ignore=CM402\nRUN git clone https://github.com/org/tool\n"),
    ("suppressed-file", "# cachemount: ignore-file=CM402\nFROM alpine\nRUN git clone https://github.com/org/tool\n"),
]


@pytest.mark.parametrize("case_id, text", SILENT, ids=[c[0] for c in SILENT])
def test_silent(case_id, text):
    assert not findings(text, "CM402")


def test_one_finding_per_moving_download():
    text = ("FROM alpine\nRUN git clone https://github.com/org/a && git clone --branch v1 https://github.com/org/b "
            "&& curl -LO https://example.org/latest/c.tgz\n")
    got = findings(text, "CM402")
    assert [text[f.start:f.end] for f in got] == ["https://github.com/org/a", "https://example.org/latest/c.tgz"]


def test_a_version_resolved_at_build_time_is_reported_where_it_is_resolved():
    text = ("FROM alpine\nRUN V=$(curl -s https://api.github.com/repos/org/t/releases/latest | jq -r .tag_name) "
            "&& curl -LO https://github.com/org/t/releases/download/$V/t.tgz\n")
    (f,) = findings(text, "CM402")
    assert text[f.start:f.end] == "https://api.github.com/repos/org/t/releases/latest"


def test_a_checkout_pins_only_the_clone_before_it():
    text = ("FROM alpine\nRUN git clone https://github.com/org/a && git clone https://github.com/org/b "
            "&& cd b && git checkout 1a2b3c\n")
    (f,) = findings(text, "CM402")
    assert text[f.start:f.end] == "https://github.com/org/a"


def test_no_fix_anywhere_and_the_text_is_left_alone():
    text = "FROM alpine\nRUN git clone https://github.com/org/tool\n"
    assert apply_all(text, unsafe=True) == (text, 0)
    assert all(not f.fixes for f in lint(text) if f.code == "CM402")


# --- package managers that install straight from a repository, a URL or a module query -------------

GO, PY, NODE, RUST = "FROM golang:1.23\n", "FROM python:3.12-slim\n", "FROM node:22\n", "FROM rust:1\n"

FIRE_INSTALLS = [
    # (id, text, span, words the message must contain)
    ("go-install-latest", GO + "RUN go install golang.org/x/tools/gopls@latest\n", "golang.org/x/tools/gopls@latest",
     ("`go install`", "`@latest`", "`@v1.2.3`", "pseudo-version")),
    ("go-install-master", GO + "RUN go install github.com/org/tool/cmd/tool@master\n",
     "github.com/org/tool/cmd/tool@master", ("`@master`",)),
    ("go-install-main-quoted", GO + 'RUN go install "github.com/org/tool@main"\n', '"github.com/org/tool@main"',
     ("`@main`",)),
    ("go-install-HEAD-in-sh-c", GO + "RUN sh -c 'go install github.com/org/tool@HEAD'\n", "github.com/org/tool@HEAD",
     ("`@HEAD`",)),
    ("go-install-upgrade", GO + "RUN go install github.com/org/tool@upgrade\n", "github.com/org/tool@upgrade", ()),
    ("go-install-version-prefix", GO + "RUN go install github.com/org/tool@v1\n", "github.com/org/tool@v1",
     ("`@v1`",)),
    ("go-install-with-options", GO + "RUN CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' "
                                     "github.com/org/tool@latest\n", "github.com/org/tool@latest", ()),
    ("go-install-query-from-arg", GO + "ARG TOOL_VERSION=latest\n"
                                       "RUN go install \"github.com/org/tool@${TOOL_VERSION}\"\n",
     '"github.com/org/tool@${TOOL_VERSION}"', ("(= github.com/org/tool@latest)",)),
    ("go-install-module-unknown-query-literal", GO + "ARG MOD\nRUN go install ${MOD}@latest\n", "${MOD}@latest", ()),
    ("xx-go-install", GO + "RUN xx-go install github.com/org/tool@latest\n", "github.com/org/tool@latest",
     ("`xx-go install`",)),
    ("go-get-latest", GO + "RUN go get github.com/org/lib@latest\n", "github.com/org/lib@latest", ("`go get`",)),
    ("go-run-latest", GO + "RUN go run github.com/org/gen@latest -out gen.go\n", "github.com/org/gen@latest",
     ("`go run`",)),
    ("go-heredoc", GO + "RUN <<EOF\nset -e\ngo install github.com/org/tool@latest\nEOF\n",
     "github.com/org/tool@latest", ()),
    ("go-exec-form", GO + 'RUN ["go", "install", "github.com/org/tool@latest"]\n', '"github.com/org/tool@latest"', ()),
    ("pip-vcs-no-ref", PY + "RUN pip install git+https://github.com/org/tool\n", "git+https://github.com/org/tool",
     ("`pip install`", "default branch", "`...@v1.2.3`", "`...@<commit sha>`")),
    ("pip-vcs-main", PY + "RUN pip install git+https://github.com/org/tool.git@main\n",
     "git+https://github.com/org/tool.git@main", ("branch `main`",)),
    ("pip-vcs-master-egg", PY + "RUN pip install 'git+https://github.com/org/tool@master#egg=tool'\n",
     "'git+https://github.com/org/tool@master#egg=tool'", ("branch `master`",)),
    ("pip-vcs-ssh-user-is-no-ref", PY + "RUN pip install git+ssh://git@github.com/org/tool.git\n",
     "git+ssh://git@github.com/org/tool.git", ("default branch",)),
    ("pip-vcs-refs-heads", PY + "RUN pip install git+https://github.com/org/tool@refs/heads/release\n",
     "git+https://github.com/org/tool@refs/heads/release", ("branch `refs/heads/release`",)),
    ("pip-editable", PY + "RUN pip install -e git+https://github.com/org/tool@main#egg=tool\n",
     "git+https://github.com/org/tool@main#egg=tool", ()),
    ("pip-direct-reference", PY + 'RUN pip install "tool[cli] @ git+https://github.com/org/tool"\n',
     '"tool[cli] @ git+https://github.com/org/tool"', ("default branch",)),
    ("python-m-pip", PY + "RUN python3 -m pip install --no-cache-dir git+https://github.com/org/tool@main\n",
     "git+https://github.com/org/tool@main", ("`python3 -m pip install`",)),
    ("pip-ref-from-arg", PY + "ARG REF=main\nRUN pip install \"git+https://github.com/org/tool@${REF}\"\n",
     '"git+https://github.com/org/tool@${REF}"', ("(= git+https://github.com/org/tool@main)", "branch `main`")),
    ("pip-branch-archive", PY + "RUN pip install https://github.com/org/tool/archive/refs/heads/main.zip\n",
     "https://github.com/org/tool/archive/refs/heads/main.zip", ("`main.zip` moves", "tag's or a commit's archive")),
    ("pip-branch-archive-any-branch", PY + "RUN pip install https://github.com/org/tool/archive/refs/heads/"
                                           "feature-x.tar.gz\n",
     "https://github.com/org/tool/archive/refs/heads/feature-x.tar.gz", ("`feature-x.tar.gz` moves",)),
    ("pip-download", PY + "RUN pip download -d /wheels git+https://github.com/org/tool\n",
     "git+https://github.com/org/tool", ("`pip download`",)),
    ("uv-pip-install", PY + "RUN uv pip install --system git+https://github.com/org/tool@master\n",
     "git+https://github.com/org/tool@master", ("`uv pip install`",)),
    ("uv-tool-install", PY + "RUN uv tool install git+https://github.com/org/tool\n", "git+https://github.com/org/tool",
     ("`uv tool install`",)),
    ("uvx-from", PY + "RUN uvx --from git+https://github.com/org/tool@main tool --help\n",
     "git+https://github.com/org/tool@main", ("`uvx`",)),
    ("pipx-install", PY + "RUN pipx install git+https://github.com/org/tool\n", "git+https://github.com/org/tool",
     ("`pipx install`",)),
    ("pipx-run-spec", PY + "RUN pipx run --spec git+https://github.com/org/tool@main tool\n",
     "git+https://github.com/org/tool@main", ("`pipx run`",)),
    ("pip-in-sh-c", PY + "RUN sh -c \"pip install git+https://github.com/org/tool@main\"\n",
     "git+https://github.com/org/tool@main", ()),
    ("npm-github-prefix", NODE + "RUN npm install -g github:org/tool\n", "github:org/tool",
     ("`npm install`", "default branch", "`#v1.2.3`", "`#<commit sha>`")),
    ("npm-github-shorthand", NODE + "RUN npm i org/tool\n", "org/tool", ("`npm i`",)),
    ("npm-named-git-spec", NODE + 'RUN npm install -g "tool@github:org/tool"\n', '"tool@github:org/tool"', ()),
    ("npm-git-https-main", NODE + "RUN npm install git+https://github.com/org/tool.git#main\n",
     "git+https://github.com/org/tool.git#main", ("branch `main`",)),
    ("npm-git-ssh-master", NODE + "RUN npm install git+ssh://git@github.com/org/tool.git#master\n",
     "git+ssh://git@github.com/org/tool.git#master", ("branch `master`",)),
    ("npm-hosted-https", NODE + "RUN npm install https://github.com/org/tool\n", "https://github.com/org/tool",
     ("default branch",)),
    ("npm-empty-ref", NODE + "RUN npm install github:org/tool#\n", "github:org/tool#", ("default branch",)),
    ("npm-ref-from-arg", NODE + "ARG REF=master\nRUN npm install github:org/tool#$REF\n", "github:org/tool#$REF",
     ("(= github:org/tool#master)",)),
    ("npm-tarball-of-a-branch", NODE + "RUN npm install https://codeload.github.com/org/tool/tar.gz/main\n",
     "https://codeload.github.com/org/tool/tar.gz/main", ("`main` moves",)),
    ("yarn-add", NODE + "RUN yarn add github:org/tool\n", "github:org/tool", ("`yarn add`",)),
    ("yarn-global-add", NODE + "RUN yarn global add org/tool#develop\n", "org/tool#develop", ("branch `develop`",)),
    ("yarn-head-key", NODE + "RUN yarn add org/tool#head=release\n", "org/tool#head=release",
     ("branch `release`",)),
    ("pnpm-add", NODE + "RUN pnpm add -D gitlab:org/tool\n", "gitlab:org/tool", ("`pnpm add`",)),
    ("cargo-git-no-ref", RUST + "RUN cargo install --locked --git https://github.com/org/tool tool\n",
     "https://github.com/org/tool", ("`cargo install --git https://github.com/org/tool`", "default branch",
                                     "`--tag v1.2.3`", "`--rev <commit sha>`")),
    ("cargo-git-equals", RUST + "RUN cargo install --git=https://github.com/org/tool\n",
     "--git=https://github.com/org/tool", ("default branch",)),
    ("cargo-branch-main", RUST + "RUN cargo install --git https://github.com/org/tool --branch main\n", "main",
     ("branch `main`",)),
    ("cargo-any-branch-moves", RUST + "RUN cargo install --git https://github.com/org/tool --branch release-1.x\n",
     "release-1.x", ("branch `release-1.x`",)),
    ("cargo-branch-from-arg", RUST + "ARG B=master\nRUN cargo install --git https://github.com/org/tool --branch "
                                     "\"$B\"\n", '"$B"', ("branch `master`",)),
    # the same data also sharpens the URL and clone checks: a `refs/heads/` ref is a branch
    ("curl-branch-archive", "FROM alpine\nRUN curl -LO https://github.com/org/t/archive/refs/heads/dev-2.tar.gz\n",
     "https://github.com/org/t/archive/refs/heads/dev-2.tar.gz", ("`dev-2.tar.gz` moves",)),
    ("clone-revision-branch-ref", "FROM alpine\nRUN git clone --revision refs/heads/feature "
                                  "https://github.com/org/tool\n", "refs/heads/feature", ("branch `refs/heads/feature`",)),
]


@pytest.mark.parametrize("case_id, text, span, words", FIRE_INSTALLS, ids=[c[0] for c in FIRE_INSTALLS])
def test_installs_fire(case_id, text, span, words):
    f = one(text, span)
    assert f.severity == "information"
    assert "layer cache re-uses this RUN without asking the network" in f.message
    for w in words:
        assert w in f.message, f.message
    assert not f.fixes


SILENT_INSTALLS = [
    ("go-install-version", GO + "RUN go install golang.org/x/tools/gopls@v0.16.2\n"),
    ("go-install-prerelease", GO + "RUN go install golang.org/x/tools/gopls@v0.17.0-pre.1\n"),
    ("go-install-pseudo-version", GO + "RUN go install github.com/org/tool@v0.0.0-20240101120000-0123456789ab\n"),
    ("go-install-commit", GO + "RUN go install github.com/org/tool@0123456789ab\n"),
    ("go-install-incompatible", GO + "RUN go install github.com/org/tool@v2.1.0+incompatible\n"),
    ("go-install-main-module", GO + "COPY . .\nRUN go install ./cmd/...\n"),
    ("go-install-package-without-query", GO + "COPY . .\nRUN go install github.com/org/tool/cmd/tool\n"),
    ("go-install-unknown-query", GO + "ARG V\nRUN go install \"github.com/org/tool@${V}\"\n"),
    ("go-install-query-from-arg-version", GO + "ARG V=v1.2.3\nRUN go install github.com/org/tool@$V\n"),
    ("go-get-without-query", GO + "COPY . .\nRUN go get github.com/org/lib\n"),
    ("go-run-args-are-the-programs", GO + "RUN go run github.com/org/gen@v1.2.3 github.com/org/other@latest\n"),
    ("go-build", GO + "COPY . .\nRUN go build -o /out/app ./cmd/app\n"),
    ("go-echo", GO + "RUN echo go install github.com/org/tool@latest\n"),
    ("pip-vcs-tag", PY + "RUN pip install git+https://github.com/org/tool@v1.2.3\n"),
    ("pip-vcs-commit", PY + "RUN pip install git+https://github.com/org/tool@0123456789abcdef0123456789abcdef01234567\n"),
    ("pip-vcs-tag-egg", PY + "RUN pip install 'git+https://github.com/org/tool.git@2.0.1#egg=tool&subdirectory=py'\n"),
    ("pip-vcs-ssh-tag", PY + "RUN pip install git+ssh://git@github.com/org/tool.git@v1.0\n"),
    ("pip-vcs-unknown-ref", PY + "ARG REF\nRUN pip install \"git+https://github.com/org/tool@${REF}\"\n"),
    ("pip-vcs-unknown-url", PY + "ARG URL\nRUN pip install \"git+${URL}\"\n"),
    ("pip-vcs-local", PY + "COPY . /src\nRUN pip install git+file:///src/tool\n"),
    ("pip-registry", PY + "RUN pip install requests==2.32.3 'flask>=3'\n"),
    ("pip-tag-archive", PY + "RUN pip install https://github.com/org/tool/archive/refs/tags/v1.2.3.zip\n"),
    ("pip-index-url-segment", PY + "RUN pip install --index-url https://pypi.example.org/main/simple tool\n"),
    ("pip-find-links-segment", PY + "RUN pip install -f https://example.org/latest/ tool==1.0\n"),
    ("pip-requirements", PY + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"),
    ("pip-direct-reference-tag", PY + 'RUN pip install "tool @ git+https://github.com/org/tool@v1.2.3"\n'),
    ("pip-uninstall", PY + "RUN pip uninstall -y git+https://github.com/org/tool\n"),
    ("uvx-tool-arguments", PY + "RUN uvx ruff==0.6.9 check --with git+https://github.com/org/x\n"),
    ("pipx-registry", PY + "RUN pipx install poetry==1.8.3\n"),
    ("pipx-run-app-arguments", PY + "RUN pipx run tool==1.0 git+https://github.com/org/x\n"),
    ("npm-tag", NODE + "RUN npm install github:org/tool#v1.2.3\n"),
    ("npm-commit", NODE + "RUN npm install git+https://github.com/org/tool.git#0123456789abcdef\n"),
    ("npm-semver-range", NODE + "RUN npm install org/tool#semver:^1.2.0\n"),
    ("yarn-commit-key", NODE + "RUN yarn add org/tool#commit=0123abc\n"),
    ("yarn-tag-key", NODE + "RUN yarn add org/tool#tag=v1.0.0\n"),
    ("npm-unknown-ref", NODE + "ARG REF\nRUN npm install github:org/tool#$REF\n"),
    ("npm-registry", NODE + "RUN npm install -g @angular/cli@17 typescript@5.4 pnpm\n"),
    ("npm-local-and-tarball", NODE + "COPY . .\nRUN npm install ./packages/a dist/b.tgz ~/c\n"),
    ("npm-option-value-with-a-slash", NODE + "RUN npm install --prefix /opt/app --workspace packages/web left-pad\n"),
    ("npm-ci", NODE + "COPY package*.json .\nRUN npm ci\n"),
    ("npm-run-arguments", NODE + "RUN npm run build -- org/tool\n"),
    ("npm-tarball-of-a-tag", NODE + "RUN npm install https://github.com/org/tool/archive/refs/tags/v1.tar.gz\n"),
    ("cargo-tag", RUST + "RUN cargo install --git https://github.com/org/tool --tag v1.2.3\n"),
    ("cargo-rev", RUST + "RUN cargo install --git https://github.com/org/tool --rev=0123abc tool\n"),
    ("cargo-branch-unknown", RUST + "ARG B\nRUN cargo install --git https://github.com/org/tool --branch $B\n"),
    ("cargo-git-unknown", RUST + "ARG REPO\nRUN cargo install --git $REPO\n"),
    ("cargo-registry", RUST + "RUN cargo install --locked cargo-chef --version 0.1.68\n"),
    ("go-suppressed", GO + "# cachemount: ignore=CM402\nRUN go install golang.org/x/tools/gopls@latest\n"),
    ("pip-suppressed-file", "# cachemount: ignore-file=CM402\n" + PY
     + "RUN pip install git+https://github.com/org/tool\n"),
]


@pytest.mark.parametrize("case_id, text", SILENT_INSTALLS, ids=[c[0] for c in SILENT_INSTALLS])
def test_installs_silent(case_id, text):
    assert not findings(text, "CM402")


def test_each_moving_package_argument_is_its_own_finding():
    text = (NODE + "RUN npm install -g github:org/a github:org/b#v1 org/c#main left-pad "
                   "&& go install github.com/org/d@latest github.com/org/e@v1.0.0\n")
    got = findings(text, "CM402")
    assert [text[f.start:f.end] for f in got] == ["github:org/a", "org/c#main", "github.com/org/d@latest"]


def test_a_suppression_silences_only_its_instruction():
    text = (PY + "# cachemount: ignore=CM402\nRUN pip install git+https://github.com/org/a\n"
                 "RUN pip install git+https://github.com/org/b\n")
    (f,) = findings(text, "CM402")
    assert text[f.start:f.end] == "git+https://github.com/org/b"


def test_install_findings_have_no_fix_and_outlive_the_other_rules_fixes():
    text = GO + "RUN go install golang.org/x/tools/gopls@latest && pip install git+https://github.com/org/t\n"
    spans = ["golang.org/x/tools/gopls@latest", "git+https://github.com/org/t"]
    got = findings(text, "CM402")
    assert [text[f.start:f.end] for f in got] == spans and not any(f.fixes for f in got)
    fixed, _count = apply_all(text, unsafe=True)   # CM101 mounts the Go and pip caches; the pins stay to do
    assert [fixed[f.start:f.end] for f in findings(fixed, "CM402")] == spans


def test_an_option_value_the_manager_table_does_not_know_is_reported_once():
    text = PY + "RUN uv pip install --system -e git+https://github.com/org/tool@main#egg=tool\n"
    one(text, "git+https://github.com/org/tool@main#egg=tool")


def test_the_remote_install_table_names_known_managers_and_grammars():
    from cachemount.knowledge import layer_traps
    from cachemount.knowledge.managers import BY_KEY
    from cachemount.rules import unpinned_remote
    for entry in layer_traps.REMOTE_INSTALLS:
        assert bool(entry.managers) != bool(entry.executables), entry
        assert all(key in BY_KEY for key in entry.managers), entry
        assert entry.grammar == "cargo" or entry.grammar in unpinned_remote._JUDGES, entry
        assert entry.subcommands and entry.source.startswith("https://"), entry
