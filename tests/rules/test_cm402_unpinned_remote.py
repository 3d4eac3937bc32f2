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
