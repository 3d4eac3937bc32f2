"""CM201 copy-before-install table."""
import pytest

from tests.rules.helpers import findings, line_of

CM201_FIRE = [
    ("pip", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", 4),
    ("npm-ci", "FROM node:22\nWORKDIR /app\nCOPY . ./\nRUN npm ci\n", 4),
    ("yarn", "FROM node:22\nCOPY . /app\nWORKDIR /app\nRUN yarn install --frozen-lockfile\n", 4),
    ("go-mod", "FROM golang:1.23\nCOPY . .\nRUN go mod download\n", 3),
    ("bundle", "FROM ruby:3.3\nADD . /app\nWORKDIR /app\nRUN bundle install\n", 4),
    ("composer", "FROM composer:2\nCOPY . .\nRUN composer install\n", 3),
    ("uv-no-install-project", "FROM python:3.12\nCOPY . .\nRUN uv sync --locked --no-install-project\n", 3),
    ("poetry-no-root", "FROM python:3.12\nCOPY . .\nRUN poetry install --no-root\n", 3),
    ("pipenv-manifest-first-then-broad", "FROM python:3.12\nCOPY Pipfile Pipfile.lock /app/\nCOPY . /app\n"
                                         "WORKDIR /app\nRUN pipenv install --system --deploy\n", 5),
]


@pytest.mark.parametrize("case_id, text, line", CM201_FIRE, ids=[c[0] for c in CM201_FIRE])
def test_cm201_fires(case_id, text, line):
    got = [f for f in findings(text, "CM201") if f.severity == "warning"]
    assert got and line_of(text, got[0]) == line


CM201_SILENT = [
    ("manifests-first", "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"),
    ("uv-second-step", "FROM python:3.12\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-install-project\n"
                       "COPY . .\nRUN uv sync\n"),
    ("pip-install-dot", "FROM python:3.12\nCOPY . .\nRUN pip install .\n"),
    ("go-build-after-download", "FROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
                                "RUN go build ./...\n"),
    ("copy-from", "FROM python:3.12\nCOPY --from=builder . .\nRUN pip install -r requirements.txt\n"),
    ("other-stage", "FROM python:3.12 AS a\nCOPY . .\nFROM python:3.12\nRUN pip install -r requirements.txt\n"),
    ("specific-dir", "FROM python:3.12\nCOPY src/ /app/src/\nRUN pip install -r requirements.txt\n"),
    ("bind-target-dot", "FROM golang:1.23\nRUN --mount=type=bind,target=. go mod download\n"),
    ("pnpm-offline", "FROM node:22\nCOPY pnpm-lock.yaml ./\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline\n"),
]


@pytest.mark.parametrize("case_id, text", CM201_SILENT, ids=[c[0] for c in CM201_SILENT])
def test_cm201_silent(case_id, text):
    assert [f for f in findings(text, "CM201") if f.severity == "warning"] == []


def test_cm201_os_install_after_copy_is_information():
    text = "FROM debian:12\nCOPY . /src\nRUN apt-get update && apt-get install -y curl\n"
    (f,) = findings(text, "CM201")
    assert f.severity == "information" and "move this RUN above" in f.message


# -- the build context decides what the fix copies and whether it is safe (issue 10) -------------

import dockerfile  # noqa: E402

from cachemount.build_context import BuildContext  # noqa: E402
from cachemount.findings import SAFE, UNSAFE  # noqa: E402
from cachemount.fixing.apply import apply_fix  # noqa: E402
from cachemount.lint import apply_all, lint  # noqa: E402


def context(tmp_path, files):
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return BuildContext(str(tmp_path))


def cm201_fix(text, ctx=None):
    (f,) = [f for f in lint(text, build_context=ctx) if f.code == "CM201"]
    return f.fixes[0] if f.fixes else None


def fixed_with(text, ctx, unsafe=False):
    """apply_all with the context, and the properties every fixed text keeps: BuildKit parses it,
    a second run changes nothing, no finding appears that was not there before."""
    after, applied = apply_all(text, build_context=ctx, unsafe=unsafe)
    dockerfile.parse_string(after)
    assert apply_all(after, build_context=ctx, unsafe=unsafe) == (after, 0)
    before_codes = {f.code for f in lint(text, build_context=ctx)}
    assert {f.code for f in lint(after, build_context=ctx)} <= before_codes
    return after


# The cases the fix table had before the fix needed a build context: with one that has the
# manifests, the same texts, and the fix is safe.
WITH_CONTEXT = {
    "pip": ({"requirements.txt": "flask\n"},
            'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
            'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip '
            'pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n'),
    "npm-chown": ({"package.json": "{}", "package-lock.json": "{}"},
                  'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm ci\nRUN npm run build\n',
                  'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node package*.json ./\nRUN --mount=type=cache,'
                  'target=/root/.npm npm ci\nCOPY --chown=node:node . .\nRUN npm run build\n'),
    "abs-dest": ({"Gemfile": "gem 'rails'\n", "Gemfile.lock": ""},
                 'FROM ruby:3.3\nCOPY . /app\nWORKDIR /app\nRUN bundle install\n',
                 'FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN --mount=type=cache,'
                 'target=/usr/local/bundle/cache bundle install\nCOPY . /app\n'),
    "go-build": ({"go.mod": "module x\n", "go.sum": ""},
                 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
                 'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod '
                 'go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,'
                 'target=/root/.cache/go-build go build -o /app .\n'),
}


@pytest.mark.parametrize("name", sorted(WITH_CONTEXT))
def test_fix_with_a_known_context_is_safe(tmp_path, name):
    files, before, expected = WITH_CONTEXT[name]
    ctx = context(tmp_path, files)
    assert cm201_fix(before, ctx).applicability == SAFE
    assert fixed_with(before, ctx) == expected
    # without the context the same fix is only offered as unsafe, and fix-all leaves it
    assert cm201_fix(before).applicability == UNSAFE
    assert apply_all(before)[0] != expected and apply_all(before, unsafe=True)[0] == expected


def test_unknown_context_title_says_what_to_check():
    fix = cm201_fix("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n")
    assert fix.applicability == UNSAFE
    assert fix.title == ("Copy requirements.txt first and move the COPY on line 3 after the install (build context "
                         "unknown: check that it has requirements.txt and that the install reads nothing else)")


def test_defect_2_pnpm_copies_package_json_and_the_lock():
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n"
    fix = cm201_fix(text)
    assert "COPY package.json pnpm-lock.yaml ./\n" in apply_fix(text, fix)


def test_defect_2_pnpm_workspace_members_are_copied_with_their_paths(tmp_path):
    ctx = context(tmp_path, {"package.json": '{"name": "root", "private": true}', "pnpm-lock.yaml": "lockfileVersion: 9\n",
                             "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n  - '!packages/skip'\n",
                             "packages/a/package.json": "{}", "packages/b/package.json": "{}",
                             "packages/skip/package.json": "{}", "packages/a/src/index.js": ""})
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n"
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE
    assert apply_fix(text, fix) == (
        "FROM node:22\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\n"
        "COPY packages/a/package.json packages/a/\nCOPY packages/b/package.json packages/b/\n"
        "RUN pnpm install --frozen-lockfile\nCOPY . .\n")


@pytest.mark.parametrize("manager, install, lock", [("npm", "npm ci", "package-lock.json"),
                                                     ("yarn", "yarn install --frozen-lockfile", "yarn.lock")])
def test_defect_2_npm_and_yarn_workspace_members(tmp_path, manager, install, lock):
    ctx = context(tmp_path, {"package.json": '{"private": true, "workspaces": {"packages": ["packages/*", "tools/cli"]}}',
                             lock: "", "packages/a/package.json": "{}", "packages/not-a-member/README": "",
                             "tools/cli/package.json": "{}"})
    text = f"FROM node:22\nWORKDIR /app\nCOPY . .\nRUN {install}\n"
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE
    out = apply_fix(text, fix)
    assert "COPY packages/a/package.json packages/a/\n" in out and "COPY tools/cli/package.json tools/cli/\n" in out
    assert "not-a-member" not in out and out.endswith(f"RUN {install}\nCOPY . .\n")


def test_workspace_that_cannot_be_listed_is_unsafe(tmp_path):
    ctx = context(tmp_path, {"package.json": '{"workspaces": ["../outside/*"]}', "package-lock.json": ""})
    fix = cm201_fix("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", ctx)
    assert fix.applicability == UNSAFE and "workspace members could not all be listed" in fix.title


def test_defect_3_maven_go_offline_with_install_is_a_full_build():
    text = ("FROM maven:3.9\nCOPY . /src\nWORKDIR /src\n"
            "RUN --mount=type=cache,target=/root/.m2 mvn -B dependency:go-offline install -DskipTests\n")
    assert findings(text, "CM201") == []
    # the dependency goal alone still is a dependency step
    alone = "FROM maven:3.9\nCOPY . /src\nWORKDIR /src\nRUN mvn -B dependency:go-offline\n"
    assert [f.severity for f in findings(alone, "CM201")] == ["warning"]


@pytest.mark.parametrize("install", ["pnpm install --prefer-offline", "pnpm install -f --offline",
                                     "pnpm install -r --offline --prod"])
def test_defect_4_pnpm_fetch_then_offline_install_is_the_documented_pattern(install):
    text = (f"FROM node:22\nWORKDIR /app\nCOPY pnpm-lock.yaml ./\nRUN pnpm fetch\nCOPY . .\nRUN {install}\n")
    assert findings(text, "CM201") == []


def test_defect_4_prefer_offline_without_a_fetch_still_fires():
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --prefer-offline\n"
    assert [f.severity for f in findings(text, "CM201")] == ["warning"]


def test_defect_5_prefetch_reads_the_manifests_where_the_build_runs(tmp_path):
    text = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nWORKDIR /src/server\nRUN go build -o /app .\n"
    ctx = context(tmp_path, {"server/go.mod": "module s\n", "server/go.sum": "", "server/main.go": ""})
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE
    assert apply_fix(text, fix).startswith(
        "FROM golang:1.23\nWORKDIR /src\nCOPY server/go.mod server/go.sum /src/server/\n"
        "RUN cd /src/server && go mod download\nCOPY . .\n")
    # go.mod at the context root (Go looks upwards): copied from there
    root = context(tmp_path / "r", {"go.mod": "module r\n", "server/main.go": ""})
    assert "COPY go.mod ./\nRUN go mod download\n" in apply_fix(text, cm201_fix(text, root))
    # no go.mod anywhere: the same finding (findings never depend on the context), and no fix
    assert cm201_fix(text, context(tmp_path / "e", {"x": ""})) is None


def test_defect_5_no_prefetch_next_to_an_existing_download_step():
    for text in ("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n",
                 "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n",
                 "FROM golang:1.23 AS deps\nWORKDIR /src\nCOPY go.* ./\nRUN go mod download\n"
                 "FROM deps\nCOPY . .\nRUN go build -o /app .\n"):
        assert [f.message.split("`")[1] for f in findings(text, "CM201")] in ([], ["go mod download"]), text


def test_defect_18_yarn_global_add_gets_the_move_hint(tmp_path):
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN yarn global add typescript\n"
    (f,) = findings(text, "CM201")
    assert f.severity == "information" and "does not read the build context" in f.message
    assert f.fix.applicability == UNSAFE      # the COPY may bring a .yarnrc it reads
    clean = context(tmp_path / "a", {"index.js": ""})
    assert cm201_fix(text, clean).applicability == SAFE
    assert fixed_with(text, clean) == ("FROM node:22\nWORKDIR /app\nRUN --mount=type=cache,"
                                       "target=/usr/local/share/.cache/yarn yarn global add typescript\nCOPY . .\n")
    with_rc = context(tmp_path / "b", {".yarnrc": "registry x\n"})
    assert cm201_fix(text, with_rc).applicability == UNSAFE
    # a local package is read from the context: no hint
    assert findings("FROM node:22\nCOPY . /app\nRUN yarn global add ./tool\n", "CM201") == []


UNSAFE_CASES = [
    ("another command in the RUN", {"package.json": "{}"}, "RUN npm ci && npm run build", "`npm run build`"),
    ("a script", {"package.json": "{}", "install.sh": ""}, "RUN ./install.sh && npm ci", "`./install.sh`"),
    ("make", {"package.json": "{}"}, "RUN npm ci && make", "`make`"),
    ("a loop", {"package.json": "{}"}, "RUN for d in plugins/*; do echo $d; done && npm ci", "loop"),
    ("lifecycle script", {"package.json": '{"scripts": {"postinstall": "node gen.js"}}'}, "RUN npm ci",
     "lifecycle scripts"),
    ("local dependency", {"package.json": '{"dependencies": {"x": "file:../x"}}'}, "RUN npm ci", "local packages"),
    ("editable requirement", {"requirements.txt": "-e .\nflask\n"}, "RUN pip install -r requirements.txt",
     "installs a local path"),
    ("setup.py", {"requirements.txt": "flask\n"}, "RUN pip install -r requirements.txt && python setup.py build",
     "`python setup.py build`"),
    ("option naming a context file", {"pom.xml": "<project/>", "settings.xml": ""},
     "RUN mvn -s settings.xml dependency:go-offline", "`settings.xml`"),
    ("cargo needs its sources", {"Cargo.toml": "[package]\n", "Cargo.lock": ""}, "RUN cargo fetch", "src/main.rs"),
]


@pytest.mark.parametrize("name, files, run, caveat", UNSAFE_CASES, ids=[c[0] for c in UNSAFE_CASES])
def test_fix_is_unsafe_when_the_install_may_read_more(tmp_path, name, files, run, caveat):
    text = f"FROM node:22\nWORKDIR /app\nCOPY . .\n{run}\n"
    fix = cm201_fix(text, context(tmp_path, files))
    assert fix.applicability == UNSAFE and caveat in fix.title, fix.title


@pytest.mark.parametrize("run", ["RUN pip install --upgrade pip setuptools && pip install -r requirements.txt",
                                 "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/* && "
                                 "pip install --no-cache-dir -r requirements.txt && echo done"])
def test_commands_that_read_no_context_keep_the_fix_safe(tmp_path, run):
    ctx = context(tmp_path, {"requirements.txt": "flask\n"})
    fix = cm201_fix(f"FROM python:3.12\nWORKDIR /app\nCOPY . .\n{run}\n", ctx)
    assert fix.applicability == SAFE, fix.title


def test_requirements_includes_are_copied(tmp_path):
    ctx = context(tmp_path, {"requirements.txt": "-r requirements/base.txt\n-c constraints.txt\nflask\n",
                             "requirements/base.txt": "requests\n", "constraints.txt": ""})
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE
    assert "COPY requirements.txt constraints.txt ./\nCOPY requirements/base.txt requirements/\n" in apply_fix(text, fix)


def test_manifests_are_read_on_the_source_side_not_the_workdir(tmp_path):
    text = "FROM python:3.12\nCOPY . /src\nWORKDIR /src/server\nRUN pip install -r requirements.txt\n"
    ctx = context(tmp_path, {"server/requirements.txt": "flask\n"})
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE and "COPY server/requirements.txt ./\n" in apply_fix(text, fix)
    # only a requirements.txt at the root, which the install does not read: no fix
    assert cm201_fix(text, context(tmp_path / "r", {"requirements.txt": "flask\n"})) is None


def test_a_manifest_missing_or_ignored_means_no_fix(tmp_path):
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    assert cm201_fix(text, context(tmp_path / "a", {"app.py": ""})) is None
    ignored = context(tmp_path / "b", {"requirements.txt": "flask\n", ".dockerignore": "*.txt\n"})
    assert cm201_fix(text, ignored) is None


def test_optional_config_is_copied_when_present(tmp_path):
    ctx = context(tmp_path, {"package.json": "{}", "pnpm-lock.yaml": "", ".npmrc": "node-linker=hoisted\n"})
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n"
    assert "COPY package.json pnpm-lock.yaml .npmrc ./\n" in apply_fix(text, cm201_fix(text, ctx))


def test_broad_copy_with_options_it_cannot_repeat_is_unsafe(tmp_path):
    ctx = context(tmp_path, {"requirements.txt": "flask\n"})
    text = "FROM python:3.12\nWORKDIR /app\nCOPY --exclude=*.md . .\nRUN pip install -r requirements.txt\n"
    fix = cm201_fix(text, ctx)
    assert fix.applicability == UNSAFE and "--exclude" in fix.title


def test_a_run_that_reads_no_context_between_does_not_block_the_reorder(tmp_path):
    ctx = context(tmp_path, {"requirements.txt": "flask\n"})
    text = ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /root/.cache/pip && echo ready\n"
            "RUN pip install -r requirements.txt\n")
    fix = cm201_fix(text, ctx)
    assert fix.applicability == SAFE
    assert apply_fix(text, fix) == ("FROM python:3.12\nWORKDIR /app\nRUN mkdir -p /root/.cache/pip && echo ready\n"
                                    "COPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n")
    # a RUN that may read the context between: no reorder at all
    assert cm201_fix(text.replace("echo ready", "./prepare.sh"), ctx) is None


def test_another_install_between_makes_the_reorder_unsafe_until_it_is_fixed(tmp_path):
    ctx = context(tmp_path, {"requirements.txt": "flask\n", "package.json": "{}", "package-lock.json": "{}"})
    text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN npm ci\n"
    npm = [f for f in lint(text, build_context=ctx) if f.code == "CM201" and "npm" in f.message][0]
    assert npm.fix.applicability == UNSAFE and "line 4 also reads the build context" in npm.fix.title
    assert fixed_with(text, ctx) == (
        "FROM node:22\nWORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip "
        "pip install -r requirements.txt\nCOPY package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n"
        "COPY . .\n")
