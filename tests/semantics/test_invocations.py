"""recognize(): manager, role and subcommand for real command lines, built by hand as SimpleCommands."""
import pytest

from cachemount.semantics.invocations import env_defeat_applies, manager_on_image, matches_dep_step, recognize
from cachemount.knowledge.managers import BY_KEY, MANAGERS
from cachemount.shell.model import SimpleCommand, Word


def cmd(line: str, assignments=()) -> SimpleCommand:
    """Split on spaces; fake offsets (each word starts one past the previous one's end)."""
    words, pos = [], 100
    for text in line.split():
        words.append(Word(text, pos, pos + len(text)))
        pos += len(text) + 1
    return SimpleCommand(tuple(words), tuple(assignments), 100, pos - 1)


def one(line: str):
    got = recognize(cmd(line))
    assert len(got) == 1, (line, got)
    return got[0]


# (command line, manager key, role, subcommand)
CASES = [
    # pip
    ("pip install -r requirements.txt", "pip", "download", "install"),
    ("pip3 install --no-cache-dir flask", "pip", "download", "install"),
    ("pip3.12 install requests", "pip", "download", "install"),
    ("/usr/local/bin/pip install requests", "pip", "download", "install"),
    ("python -m pip install -U pip", "pip", "download", "install"),
    ("python3.12 -m pip wheel -w /wheels -r req.txt", "pip", "download", "wheel"),
    ("python -mpip install -r requirements.txt", "pip", "download", "install"),
    ("python3 -I -m pip download -d /d x", "pip", "download", "download"),
    ("pip --version", "pip", "other", None),
    ("pip uninstall -y x", "pip", "other", None),
    ("pip list", "pip", "other", None),
    ("pip freeze", "pip", "other", None),
    ("pip cache purge", "pip", "clean", "cache purge"),
    ("pip install --no-cache /wheels/*", "pip", "other", "install"),
    ("pip install --no-index --find-links /wheels x", "pip", "other", "install"),
    # uv
    ("uv sync --locked --no-install-project", "uv", "download", "sync"),
    ("uv pip install --system -r requirements.txt", "uv", "download", "pip install"),
    ("uv --no-cache pip install x", "uv", "download", "pip install"),
    ("uv tool install ruff", "uv", "download", "tool install"),
    ("uvx ruff check", "uv", "download", "tool run"),
    ("uv cache clean", "uv", "clean", "cache clean"),
    ("uv cache prune --ci", "uv", "clean", "cache prune"),
    ("uv --version", "uv", "other", None),
    # poetry / pipenv / pdm
    ("poetry install --no-root --no-directory", "poetry", "download", "install"),
    ("poetry --no-cache install", "poetry", "download", "install"),
    ("poetry cache clear --all pypi", "poetry", "clean", "cache clear"),
    ("poetry config virtualenvs.create false", "poetry", "other", "config"),
    ("pipenv install --system --deploy", "pipenv", "download", "install"),
    ("pipenv sync", "pipenv", "download", "sync"),
    ("pipenv --clear", "pipenv", "clean", None),
    ("pdm install --check --prod --no-editable", "pdm", "download", "install"),
    # conda family
    ("conda install -y numpy", "conda", "download", "install"),
    ("conda env create -f environment.yml", "conda", "download", "env create"),
    ("conda clean -afy", "conda", "clean", "clean"),
    ("mamba install --yes -c conda-forge x", "mamba", "download", "install"),
    ("micromamba install -y -n base -f /tmp/env.yaml", "micromamba", "download", "install"),
    ("micromamba clean --all --yes", "micromamba", "clean", "clean"),
    # npm / yarn / pnpm / bun
    ("npm ci --omit=dev", "npm", "download", "ci"),
    ("npm i", "npm", "download", "install"),
    ("npm install -g pnpm@9", "npm", "download", "install"),
    ("npm --prefix /app install", "npm", "download", "install"),
    ("npm run build", "npm", "other", None),
    ("npm start", "npm", "other", None),
    ("npm cache clean --force", "npm", "clean", "cache clean"),
    ("yarn", "yarn", "download", "install"),
    ("yarn --frozen-lockfile", "yarn", "download", "install"),
    ("yarn install --frozen-lockfile --production", "yarn", "download", "install"),
    ("yarn global add pnpm", "yarn", "download", "global add"),
    ("yarn --version", "yarn", "other", None),
    ("yarn build", "yarn", "other", None),
    ("yarn cache clean --all", "yarn", "clean", "cache clean"),
    ("yarn install --immutable", "yarn-berry", "download", "install"),
    ("corepack yarn@4.1.0 install", "yarn-berry", "download", "install"),
    ("corepack yarn install", "yarn", "download", "install"),
    ("pnpm install --frozen-lockfile", "pnpm", "download", "install"),
    ("pnpm i --frozen-lockfile", "pnpm", "download", "install"),
    ("pnpm fetch --prod", "pnpm", "download", "fetch"),
    ("pnpm install -r --offline", "pnpm", "consume", "install"),
    ("corepack pnpm install", "pnpm", "download", "install"),
    ("corepack pnpm@9.1.0 install --frozen-lockfile", "pnpm", "download", "install"),
    ("yarn workspaces focus --production", "yarn-berry", "download", "workspaces focus"),
    ("yarn dlx create-vite", "yarn-berry", "download", "dlx"),
    ("pnpm run build", "pnpm", "other", None),
    ("pnpm store prune", "pnpm", "clean", "store prune"),
    ("bun install --frozen-lockfile", "bun", "download", "install"),
    ("bun pm cache rm", "bun", "clean", "pm cache rm"),
    ("bun run build", "bun", "other", None),
    # OS package managers
    ("apt-get update", "apt-get", "download", "update"),
    ("apt-get -y -o Dpkg::Options::=--force-confold install gcc", "apt-get", "download", "install"),
    ("apt-get install -y --no-install-recommends gcc", "apt-get", "download", "install"),
    ("apt install -y curl", "apt", "download", "install"),
    ("xx-apt-get install -y gcc", "apt-get", "download", "install"),
    ("apt-get purge -y gcc", "apt-get", "other", None),
    ("apt-get remove -y gcc", "apt-get", "other", None),
    ("apt-get autoremove -y", "apt-get", "other", None),
    ("apt-get clean", "apt-get", "clean", "clean"),
    ("apt-get dist-clean", "apt-get", "clean", "dist-clean"),
    ("apt-get distclean", "apt-get", "clean", "distclean"),
    ("apk add --no-cache curl", "apk", "download", "add"),
    ("apk --no-cache add curl", "apk", "download", "add"),
    ("apk add --virtual .build-deps gcc", "apk", "download", "add"),
    ("xx-apk add musl-dev gcc", "apk", "download", "add"),
    ("apk del .build-deps", "apk", "other", None),
    ("apk cache clean", "apk", "clean", "cache clean"),
    ("dnf -y --setopt=keepcache=1 install gcc", "dnf", "download", "install"),
    ("dnf install --disableplugin=subscription-manager --setopt=tsflags=nodocs -y tar", "dnf", "download", "install"),
    ("dnf clean all", "dnf", "clean", "clean"),
    ("dnf --best -y install gcc", "dnf", "download", "install"),
    ("dnf5 install -y gcc", "dnf5", "download", "install"),
    ("yum install -y tar", "yum", "download", "install"),
    ("yum clean all", "yum", "clean", "clean"),
    ("microdnf -y --setopt=tsflags=nodocs install python3", "microdnf", "download", "install"),
    ("microdnf clean all", "microdnf", "clean", "clean"),
    ("tdnf install -y ca-certificates", "tdnf", "download", "install"),
    ("zypper -n --gpg-auto-import-keys in curl", "zypper", "download", "install"),
    ("zypper -n ref", "zypper", "download", "refresh"),
    ("zypper up -y", "zypper", "download", "update"),
    ("zypper clean --all", "zypper", "clean", "clean"),
    # Go / Rust
    ("go mod download", "go", "download", "mod download"),
    ("go -C /src mod download", "go", "download", "mod download"),
    ("go build -o /app/server -ldflags=-s ./cmd/server", "go", "download", "build"),
    ("xx-go build -o /out ./cmd", "go", "download", "build"),
    ("go version", "go", "other", None),
    ("go env GOPATH", "go", "other", None),
    ("go clean -modcache", "go", "clean", "clean"),
    ("go clean -cache", "go", "clean", "clean"),
    ("go clean", "go", "other", "clean"),
    ("cargo build --release --locked", "cargo", "download", "build"),
    ("cargo fetch", "cargo", "download", "fetch"),
    ("cargo chef cook --release --recipe-path recipe.json", "cargo", "download", "chef cook"),
    ("cargo --version", "cargo", "other", None),
    ("cargo b --release", "cargo", "download", "build"),
    # JVM
    ("mvn -B -q -f pom.xml package", "maven", "download", "package"),
    ("mvn dependency:go-offline", "maven", "download", "dependency:go-offline"),
    ("./mvnw dependency:go-offline -DskipTests", "maven", "download", "dependency:go-offline"),
    ("mvnw clean install -DskipTests", "maven", "download", "install"),
    ("mvn --version", "maven", "other", None),
    ("mvn -o package", "maven", "consume", "package"),
    ("mvn dependency:purge-local-repository", "maven", "clean", "dependency:purge-local-repository"),
    ("gradle --no-daemon build", "gradle", "download", "build"),
    ("./gradlew build -x test", "gradle", "download", "build"),
    ("./gradlew --version", "gradle", "other", None),
    ("gradle --offline build", "gradle", "consume", "build"),
    ("sbt clean assembly", "sbt", "download", "assembly"),
    # Ruby / PHP / .NET
    ("bundle install --jobs 4", "bundler", "download", "install"),
    ("bundle install --no-cache", "bundler", "download", "install"),
    ("bundle exec rails assets:precompile", "bundler", "other", None),
    ("gem install bundler -v 2.5.0", "gem", "download", "install"),
    ("composer install --no-dev --no-scripts", "composer", "download", "install"),
    ("composer --no-ansi install --working-dir=/opt/kimai", "composer", "download", "install"),
    ("php composer.phar install", "composer", "download", "install"),
    ("composer dump-autoload --optimize", "composer", "other", None),
    ("composer dump-autoload -a --no-dev", "composer", "other", None),
    ("composer clear-cache", "composer", "clean", "clear-cache"),
    ("composer --no-ansi clearcache", "composer", "clean", "clear-cache"),
    ("composer cc", "composer", "clean", "clear-cache"),
    ("dotnet restore -r linux-x64", "dotnet", "download", "restore"),
    ("dotnet publish -c Release -o /app", "dotnet", "download", "publish"),
    ("dotnet publish -c Release -o /app --no-restore", "dotnet", "consume", "publish"),
    ("dotnet build --no-restore", "dotnet", "consume", "build"),
    ("dotnet test --no-build", "dotnet", "consume", "test"),
    ("dotnet --info", "dotnet", "other", None),
    ("dotnet app.dll", "dotnet", "other", None),
    ("dotnet nuget locals all --clear", "dotnet", "clean", "nuget locals all"),
    # compiler caches
    ("ccache gcc -c x.c", "ccache", "download", "gcc"),
    ("ccache -s", "ccache", "other", None),
    ("ccache -C", "ccache", "clean", None),
    ("sccache --show-stats", "sccache", "other", None),
]


@pytest.mark.parametrize("line,key,role,sub", CASES, ids=[c[0] for c in CASES])
def test_recognize(line, key, role, sub):
    inv = one(line)
    assert (inv.manager.key, inv.role, inv.subcommand) == (key, role, sub)


def test_every_manager_is_covered():
    covered = {c[1] for c in CASES}
    assert covered >= {m.key for m in MANAGERS}
    assert len(CASES) >= 60


@pytest.mark.parametrize("line", ["ls -la", "echo pip install x", "corepack enable", "python setup.py install",
                                  "python3 -m venv /venv", "php artisan migrate", "npx prisma generate",
                                  "$PIP install x", "rm -rf /var/lib/apt/lists/*", ""])
def test_not_a_manager(line):
    assert recognize(cmd(line)) == []


def test_words_and_positionals():
    inv = one("apt-get -y -o Acquire::Retries=3 install --no-install-recommends gcc make")
    assert [w.text for w in inv.subcommand_words] == ["install"]
    assert [w.text for w in inv.positionals] == ["gcc", "make"]
    inv = one("npm i")
    assert [w.text for w in inv.subcommand_words] == ["i"] and inv.subcommand == "install"
    inv = one("pip install -r requirements.txt flask")
    assert [w.text for w in inv.positionals] == ["flask"]
    inv = one("go mod download -x")
    assert [w.text for w in inv.subcommand_words] == ["mod", "download"]


def test_option_defeats():
    def defeats(line):
        return [w.text for w, _ in one(line).defeats]

    assert defeats("pip install --no-cache-dir x") == ["--no-cache-dir"]
    assert defeats("pip install --no-cache x") == ["--no-cache"]  # optparse abbreviation
    assert defeats("pip install --no-cache-d x") == ["--no-cache-d"]
    assert defeats("pip install --no-c x") == []  # shorter than --no-cache: not claimed
    assert defeats("python -m pip install --no-cache-dir x") == ["--no-cache-dir"]
    assert defeats("uv pip install --no-cache x") == ["--no-cache"]
    assert defeats("uv -n sync") == ["-n"]
    assert defeats("apk add --no-cache curl") == ["--no-cache"]
    assert defeats("apk add --cache=no curl") == ["--cache=no"]
    assert defeats("composer install --no-cache") == ["--no-cache"]
    assert defeats("bun install --no-cache") == ["--no-cache"]
    assert defeats("poetry install --no-cache") == ["--no-cache"]
    assert defeats("pipenv install --clear") == ["--clear"]
    # uv: `--no-cache-dir` is a hidden alias of `--no-cache` (uv 0.13.8), before or after the subcommand
    assert defeats("uv --no-cache-dir pip install x") == ["--no-cache-dir"]
    assert defeats("uv pip install --no-cache-dir -r requirements.txt") == ["--no-cache-dir"]
    assert defeats("uv sync --no-cache-dir") == ["--no-cache-dir"]
    # Not defeats.
    assert defeats("bundle install --no-cache") == []
    assert defeats("dotnet restore --no-cache") == []
    assert defeats("npm ci --no-audit") == []


def test_defeat_word_spans():
    inv = one("pip install --no-cache-dir x")
    word, reason = inv.defeats[0]
    assert (word.start, word.end) == (112, 126) and "cache" in reason


def test_option_dirs():
    def dirs(line):
        return [(k, d) for k, d, _ in one(line).option_dirs]

    assert dirs("pip install --cache-dir /c x") == [("pip", "/c")]
    assert dirs("pip install --cache-dir=/c x") == [("pip", "/c")]
    assert dirs("mvn -Dmaven.repo.local=/m2/repo package") == [("maven", "/m2/repo")]
    assert dirs("gradle -g /gh build") == [("gradle", "/gh")]
    assert dirs("./gradlew --gradle-user-home=/gh build") == [("gradle", "/gh")]
    assert dirs("npm ci --cache /npm") == [("npm", "/npm")]
    assert dirs("yarn install --cache-folder /yc") == [("yarn", "/yc")]
    assert dirs("pnpm install --store-dir /s") == [("pnpm-store", "/s")]
    assert dirs("dotnet restore --packages /nuget") == [("nuget", "/nuget")]
    assert dirs("pnpm config set store-dir /frontend/.cache/pnpm") == [("pnpm-store", "/frontend/.cache/pnpm")]
    assert dirs("npm config set cache=/c") == [("npm", "/c")]
    # the value of a --cache-dir is not a positional
    assert [w.text for w in one("pip install --cache-dir /c x").positionals] == ["x"]


def dep(line, steps="dep_steps"):
    inv = one(line)
    return matches_dep_step(inv, getattr(inv.manager, steps))


@pytest.mark.parametrize("line", [
    "pip install -r requirements.txt",
    "pip install -rrequirements.txt",
    "python -m pip install --requirement=req.txt",
    "npm ci",
    "npm install",
    "npm install --omit=dev",
    "yarn",
    "yarn install --frozen-lockfile",
    "pnpm install --frozen-lockfile",
    "pnpm fetch",
    "bun install --frozen-lockfile",
    "go mod download",
    "cargo fetch",
    "cargo chef cook --release --recipe-path recipe.json",
    "bundle install",
    "composer install --no-autoloader --no-scripts",
    "uv sync --locked --no-install-project",
    "uv sync --frozen --no-install-workspace",
    "uv pip install -r requirements.txt",
    "poetry install --no-root --no-directory",
    "pipenv install --system --deploy",
    "pipenv sync",
    "pdm install --no-self",
    "conda env create -f environment.yml",
    "micromamba install -y -n base -f env.yaml",
    "dotnet restore",
    "mvn dependency:go-offline",
    "./mvnw dependency:resolve",
])
def test_dep_steps(line):
    assert dep(line)


@pytest.mark.parametrize("line", [
    "pip install flask",
    "pip install .",
    "pip install -r requirements.txt -e .",
    "npm install express",
    "npm install -g pnpm",
    "pnpm install --offline",
    "uv sync --locked",
    "poetry install",
    "pdm install",
    "pipenv install requests",
    "conda install numpy",
    "go build ./...",
    "dotnet publish --no-restore",
    "mvn package",
])
def test_not_dep_steps(line):
    assert not dep(line)


@pytest.mark.parametrize("line", [
    "uv sync --locked",
    "poetry install",
    "pip install .",
    "pip install -e .",
    "uv pip install -e .",
    "pnpm install --offline",
    "go build -o /app",
    "cargo build --release",
    "dotnet publish --no-restore",
    "./mvnw package",
])
def test_second_steps(line):
    assert dep(line, "second_steps")


def test_second_steps_do_not_swallow_dep_steps():
    assert not dep("uv sync --locked --no-install-project", "second_steps")
    assert not dep("poetry install --no-root", "second_steps")


def test_assignments_do_not_confuse():
    got = recognize(cmd("pip install x", assignments=(("PIP_NO_CACHE_DIR", "1"),)))
    assert got[0].manager.key == "pip" and got[0].role == "download"


def test_apk_no_cache_is_replaced_by_an_index_update():
    """`apk add --no-cache` fetched fresh indexes on every run; the fix must keep that (--update-cache)."""
    inv = one("apk add --no-cache git")
    assert [(w.text, r) for w, r in inv.replacements] == [("--no-cache", "--update-cache")]
    inv = one("apk --cache=no add git")
    assert [(w.text, r) for w, r in inv.replacements] == [("--cache=no", "--update-cache")]
    # Already there: just removed.
    assert one("apk add -U --no-cache git").replacements == ()
    assert one("apk add --update-cache --no-cache git").replacements == ()
    assert one("pip install --no-cache-dir x").replacements == ()


def test_device_option_is_a_defeat_spanning_option_and_value():
    inv = one("pip install --cache-dir /dev/null x")
    ((word, reason),) = inv.defeats
    assert word.text == "--cache-dir /dev/null" and (word.start, word.end) == (112, 133) and "/dev/null" in reason
    ((word, _),) = one("uv pip install --cache-dir=/dev/null x").defeats
    assert word.text == "--cache-dir=/dev/null"
    assert one("pip install --cache-dir /cache x").defeats == ()
    assert one("pip --cache-dir /dev/null --version").defeats == ()   # not a download: nothing to defeat


@pytest.mark.parametrize("when, value, expected", [
    ("any", "0", True), ("truthy", "1", True), ("truthy", "False", False), ("truthy", " yes ", True),
    ("device", "/dev/null", True), ("device", "/dev/shm/x", True), ("device", "/devices", False),
    ("device", "/tmp/cache", False), ("device", "", False),
])
def test_env_defeat_applies(when, value, expected):
    from cachemount.knowledge.schema import EnvDefeat
    assert env_defeat_applies(EnvDefeat("X", when, "r"), value) is expected


@pytest.mark.parametrize("exe, base, expected", [
    ("dnf", "fedora:41", "dnf5"), ("dnf", "fedora:rawhide", "dnf5"), ("dnf", "fedora", "dnf5"),
    ("dnf", "fedora:40", "dnf"), ("dnf", "fedora:39", "dnf"), ("yum", "fedora:43", "dnf5"),
    ("microdnf", "fedora:38", "dnf5"), ("microdnf", "registry.access.redhat.com/ubi9-minimal", None),
    ("dnf", "almalinux:9", "dnf"), ("dnf", "amazonlinux:2023", "dnf"),
    ("yum", "centos:7", "yum"), ("yum", "centos:centos7.9.2009", "yum"), ("yum", "amazonlinux:2", "yum"),
    ("yum", "public.ecr.aws/amazonlinux/amazonlinux:2023", "dnf"), ("yum", "rockylinux:8.9", "dnf"),
    ("yum", "quay.io/sclorg/s2i-base-c9s:c9s", "dnf"), ("yum", "registry.access.redhat.com/ubi8/ubi", "dnf"),
    ("yum", "eclipse-temurin:21-jdk-ubi9-minimal", "dnf"), ("yum", "amazoncorretto:21", None),
    ("yum", "mcr.microsoft.com/cbl-mariner/base/core:2.0", "tdnf"), ("yum", "photon:5.0", "tdnf"),
    ("dnf-3", None, "dnf"), ("dnf", None, None), ("yum", "${BASE}", None), ("yum", "debian:12", None),
    ("apt-get", "fedora:41", None),
])
def test_manager_on_image(exe, base, expected):
    assert manager_on_image(exe, base) == expected


def test_recognize_with_the_base_image():
    yum = cmd("yum install -y gcc")
    got = recognize(yum, "rockylinux:9")[0]
    assert got.manager.key == "dnf" and got.version_known and got.role == "download" and got.subcommand == "install"
    assert recognize(yum)[0].manager.key == "yum" and not recognize(yum)[0].version_known
    got = recognize(cmd("dnf clean all"), "fedora:42")[0]
    assert got.manager.key == "dnf5" and got.role == "clean"
    got = recognize(cmd("yum install -y git"), "mcr.microsoft.com/azurelinux/base/core:3.0")[0]
    assert got.manager is BY_KEY["tdnf"] and got.manager.prerequisites == ("tdnf-keepcache",)


@pytest.mark.parametrize("line, expected", [
    ("pip install .", True), ("pip install -e .", True), ("pip install -e .[dev]", True), ("pip install .[dev]", True),
    ("pip install /src", True), ("pip install --no-deps /app/pkg", True), ("pip install -e/src", True),
    ("pip install --editable=./lib", True), ("python -m pip install --user .", True),
    ("uv pip install --system -e .", True), ("pip install ./a ../b", True),
    ("pip install -r requirements.txt .", False), ("pip install . flask", False), ("pip install flask", False),
    ("pip install git+https://github.com/x/y", False), ("pip install -e git+https://github.com/x/y#egg=y", False),
    ("pip install", False), ("pip download .", False), ("uv pip compile ./pyproject.toml", False),
    ("uv sync", False), ("pip install -c constraints.txt .", False),
])
def test_local_project(line, expected):
    assert one(line).local_project is expected
