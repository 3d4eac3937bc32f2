"""resolve_caches / expand / covers / intended_for: where caches are for each user and environment."""
import pytest

from cachemount.semantics.cachedirs import covers, expand, intended_for, never_mount_hit, resolve_caches
from cachemount.semantics.invocations import recognize
from cachemount.knowledge.managers import BY_KEY
from cachemount.shell.model import SimpleCommand, Word
from cachemount.semantics.userinfo import ROOT, UserInfo

APP = UserInfo("app", "app", 1001, 1001, "/home/app", "useradd")
NODE = UserInfo("node", "node", 1000, 1000, "/home/node", "image node")
NO_HOME = UserInfo("1234", None, 1234, 1234, None, "USER line 3")
NO_UID = UserInfo("$U", None, None, None, None, "USER line 3")


def cmd(line: str, assignments=()) -> SimpleCommand:
    words, pos = [], 0
    for text in line.split():
        words.append(Word(text, pos, pos + len(text)))
        pos += len(text) + 1
    return SimpleCommand(tuple(words), tuple(assignments))


def resolve(line, env=None, user=ROOT, assignments=(), base=None, **kw):
    inv = recognize(cmd(line, assignments), base)[0]
    return {rc.spec.key: rc for rc in resolve_caches(inv, env or {}, user, **kw)}


def path(line, env=None, user=ROOT, key=None, **kw):
    got = resolve(line, env, user, **kw)
    rc = got[key] if key else next(iter(got.values()))
    return rc.path


# ---- pip ---------------------------------------------------------------------------------------

def test_pip_root_and_nonroot():
    rc = resolve("pip install x")["pip"]
    assert rc.path == "/root/.cache/pip" and rc.why == "default for root"
    rc = resolve("pip install x", user=APP)["pip"]
    assert rc.path == "/home/app/.cache/pip" and "app" in rc.why


def test_unknown_home_gives_none_with_reason():
    rc = resolve("pip install x", user=NO_HOME)["pip"]
    assert rc.path is None and "home" in rc.why and "1234" in rc.why


def test_env_knobs_win_in_order():
    assert path("pip install x", {"XDG_CACHE_HOME": "/xdg"}) == "/xdg/pip"
    assert path("pip install x", {"XDG_CACHE_HOME": "/xdg", "PIP_CACHE_DIR": "/pc/"}) == "/pc"
    assert resolve("pip install x", {"PIP_CACHE_DIR": "/pc"})["pip"].why == "PIP_CACHE_DIR"
    assert resolve("pip install x", {"XDG_CACHE_HOME": "/xdg"})["pip"].why == "XDG_CACHE_HOME"
    # $HOME from the environment counts for ${HOME} templates
    assert path("pip install x", {"HOME": "/srv"}, user=NO_HOME) == "/srv/.cache/pip"
    # an empty variable is as good as unset
    assert path("pip install x", {"PIP_CACHE_DIR": ""}) == "/root/.cache/pip"


def test_command_prefix_assignment():
    assert path("pip install x", assignments=(("PIP_CACHE_DIR", "/pfx"),)) == "/pfx"


def test_cache_dir_option_wins():
    rc = resolve("pip install --cache-dir /opt/pipcache x", {"PIP_CACHE_DIR": "/env"})["pip"]
    assert rc.path == "/opt/pipcache" and rc.why == "--cache-dir"
    assert path("pip install --cache-dir=~/pc x", user=APP) == "/home/app/pc"
    assert path("pip install --cache-dir $PC x", {"PC": "/from-env"}) == "/from-env"
    rel = resolve("pip install --cache-dir .cache x")["pip"]
    assert rel.path is None and "relative" in rel.why
    assert path("pip install --cache-dir .cache x", workdir="/app") == "/app/.cache"


def test_configured_dir():
    assert path("pnpm install", configured={"pnpm-store": "/frontend/.cache/pnpm"}) == "/frontend/.cache/pnpm"


# ---- Python tools ---------------------------------------------------------------------------

def test_uv():
    assert path("uv sync") == "/root/.cache/uv"
    assert path("uv sync", {"UV_CACHE_DIR": "/uvc"}) == "/uvc"
    assert path("uv pip install x", {"XDG_CACHE_HOME": "/x"}) == "/x/uv"


def test_poetry_pipenv_pdm():
    assert path("poetry install") == "/root/.cache/pypoetry"
    assert path("poetry install", {"POETRY_CACHE_DIR": "/var/cache/pypoetry"}) == "/var/cache/pypoetry"
    assert path("pipenv install") == "/root/.cache/pipenv"
    assert path("pdm install", {"PDM_CACHE_DIR": "/pdm"}) == "/pdm"


def test_conda():
    assert path("conda install x") == "/opt/conda/pkgs"
    assert path("conda install x", {"CONDA_PKGS_DIRS": "/pk1,/pk2"}) == "/pk1"
    assert path("mamba install x", {"CONDA_DIR": "/opt/conda"}, user=UserInfo("1000", "jovyan", 1000, 100,
                                                                              "/home/jovyan")) == "/opt/conda/pkgs"
    assert path("micromamba install -f env.yaml", {"MAMBA_ROOT_PREFIX": "/opt/conda"}) == "/opt/conda/pkgs"
    rc = resolve("micromamba install -f env.yaml")["conda-pkgs"]
    assert rc.path is None and "MAMBA_ROOT_PREFIX" in rc.why


# ---- JavaScript -----------------------------------------------------------------------------

def test_npm():
    assert path("npm ci") == "/root/.npm"
    assert path("npm ci", user=NODE) == "/home/node/.npm"
    assert path("npm ci", {"npm_config_cache": "/nc"}) == "/nc"
    assert path("npm ci", {"NPM_CONFIG_CACHE": "/NC"}) == "/NC"
    assert path("npm ci", {"XDG_CACHE_HOME": "/xdg"}) == "/root/.npm"  # npm ignores XDG


def test_yarn_classic():
    assert path("yarn install") == "/usr/local/share/.cache/yarn"  # root's home is /usr/local/share
    assert path("yarn install", user=NODE) == "/home/node/.cache/yarn"
    assert path("yarn", {"YARN_CACHE_FOLDER": "/yc"}) == "/yc"
    assert path("yarn", {"XDG_CACHE_HOME": "/xdg"}) == "/xdg/yarn"
    rc = resolve("yarn", user=NO_UID)["yarn"]
    assert rc.path is None and "root" in rc.why


def test_yarn_berry():
    assert path("yarn install --immutable") == "/root/.yarn/berry/cache"
    assert path("yarn install --immutable", {"YARN_GLOBAL_FOLDER": "/yg"}) == "/yg/cache"


def test_pnpm():
    assert path("pnpm install") == "/root/.local/share/pnpm/store"
    assert path("pnpm install", {"PNPM_HOME": "/pnpm"}) == "/pnpm/store"
    assert path("pnpm install", {"PNPM_HOME": "/pnpm", "XDG_DATA_HOME": "/d"}) == "/pnpm/store"
    assert path("pnpm install", {"XDG_DATA_HOME": "/d"}) == "/d/pnpm/store"
    assert resolve("pnpm install")["pnpm-store"].spec.id == "pnpm"


def test_bun():
    assert path("bun install") == "/root/.bun/install/cache"
    assert path("bun install", {"BUN_INSTALL_CACHE_DIR": "/bc"}) == "/bc"
    assert path("bun install", {"BUN_INSTALL": "/bun"}) == "/bun/install/cache"
    # the runtime transpiler cache variable changes nothing
    assert path("bun install", {"BUN_RUNTIME_TRANSPILER_CACHE_PATH": "0"}) == "/root/.bun/install/cache"


# ---- Go / Rust ------------------------------------------------------------------------------

def test_go():
    got = resolve("go build ./...", {"GOPATH": "/go"})
    assert got["go-mod"].path == "/go/pkg/mod" and got["go-mod"].why == "GOPATH"
    assert got["go-build"].path == "/root/.cache/go-build"
    assert path("go build .", {"GOMODCACHE": "/gm", "GOPATH": "/go"}, key="go-mod") == "/gm"
    assert path("go build .", {"GOCACHE": "/gc"}, key="go-build") == "/gc"
    assert path("go build .", {}, key="go-mod") == "/root/go/pkg/mod"
    assert path("go build .", {"GOPATH": "/a:/b"}, key="go-mod") == "/a/pkg/mod"
    # the build cache is only for build/test/install/run
    assert set(resolve("go mod download", {"GOPATH": "/go"})) == {"go-mod"}


def test_cargo():
    got = resolve("cargo build", {"CARGO_HOME": "/usr/local/cargo"})
    assert got["cargo-registry"].path == "/usr/local/cargo/registry"
    assert got["cargo-git"].path == "/usr/local/cargo/git/db"
    assert path("cargo build", {}, key="cargo-registry") == "/root/.cargo/registry"


# ---- JVM ------------------------------------------------------------------------------------

def test_maven_ignores_home_env():
    assert path("mvn package") == "/root/.m2"
    assert path("mvn package", {"HOME": "/elsewhere"}) == "/root/.m2"  # user.home, not $HOME
    assert path("mvn package", user=APP) == "/home/app/.m2"
    assert path("mvn -Dmaven.repo.local=/repo package") == "/repo"
    assert resolve("mvn package", user=NO_HOME)["maven"].path is None


def test_gradle():
    assert path("gradle build") == "/root/.gradle"
    assert path("./gradlew build", {"GRADLE_USER_HOME": "/gh"}) == "/gh"
    assert path("./gradlew -g /opt/g build", {"GRADLE_USER_HOME": "/gh"}) == "/opt/g"
    assert resolve("gradle build")["gradle"].spec.sharing == "locked"


# ---- Ruby / PHP / .NET ----------------------------------------------------------------------

def test_bundler():
    assert path("bundle install", {"GEM_HOME": "/usr/local/bundle"}) == "/usr/local/bundle/cache"
    rc = resolve("bundle install", {"GEM_HOME": "/usr/local/bundle", "BUNDLE_PATH": "/usr/local/bundle"})["gems"]
    assert rc.path is None and rc.pattern == "/usr/local/bundle/ruby/*/cache"
    assert covers("/usr/local/bundle/ruby/3.3.0/cache", rc)
    assert covers("/usr/local/bundle/ruby", rc)
    assert not covers("/usr/local/bundle/ruby/3.3.0/gems", rc)
    assert resolve("bundle install")["gems"].path is None


def test_composer():
    assert path("composer install", {"COMPOSER_HOME": "/tmp"}) == "/tmp/cache"
    assert path("composer install", {"COMPOSER_HOME": "/tmp", "COMPOSER_CACHE_DIR": "/cc"}) == "/cc"
    assert path("composer install", {"COMPOSER_HOME": "/composer"}) == "/composer/cache"
    rc = resolve("composer install")["composer"]
    assert rc.path == "/root/.composer/cache"
    assert covers("/root/.cache/composer", rc)  # the /etc/xdg variant counts as well


def test_nuget():
    assert path("dotnet restore") == "/root/.nuget/packages"
    assert path("dotnet restore", {"NUGET_PACKAGES": "/nuget"}) == "/nuget"
    assert path("dotnet publish --no-restore", user=UserInfo("app", "app", 1654, 1654, "/home/app")) == \
        "/home/app/.nuget/packages"


# ---- OS -------------------------------------------------------------------------------------

def test_apt_caches_by_subcommand():
    assert set(resolve("apt-get update")) == {"apt-lists", "apt-archives"}
    got = resolve("apt-get install -y gcc")
    assert set(got) == {"apt-archives"} and got["apt-archives"].path == "/var/cache/apt"
    assert got["apt-archives"].spec.sharing == "locked"
    assert set(resolve("apt-get clean")) == {"apt-archives", "apt-lists"}
    # apt 3: `install --update` refreshes the lists first
    assert set(resolve("apt install -y --update curl")) == {"apt-archives", "apt-lists"}


@pytest.mark.parametrize("line, base, expected", [
    # dnf is dnf5 on Fedora 41 and later, dnf 4 on Fedora 40 and the RHEL family (EL8-10, AL2023)
    ("dnf install -y x", "fedora:41", "/var/cache/libdnf5"),
    ("dnf install -y x", "fedora", "/var/cache/libdnf5"),
    ("dnf install -y x", "quay.io/fedora/s2i-base:42", "/var/cache/libdnf5"),
    ("dnf install -y x", "fedora:40", "/var/cache/dnf"),
    ("dnf install -y x", "registry.access.redhat.com/ubi9/ubi:9.4", "/var/cache/dnf"),
    ("dnf install -y x", "rockylinux/rockylinux:9", "/var/cache/dnf"),
    # yum: yum 3 on EL7 and Amazon Linux 2, dnf 4 on EL8+, dnf5 on Fedora 41+, tdnf on Azure Linux
    ("yum install -y x", "centos:7", "/var/cache/yum"),
    ("yum install -y x", "amazonlinux:2.0.20240610.1", "/var/cache/yum"),
    ("yum install -y x", "rockylinux:9", "/var/cache/dnf"),
    ("yum install -y x", "almalinux:8", "/var/cache/dnf"),
    ("yum install -y x", "quay.io/centos/centos:stream9", "/var/cache/dnf"),
    ("yum install -y x", "redhat/ubi9", "/var/cache/dnf"),
    ("yum install -y x", "oraclelinux:8", "/var/cache/dnf"),
    ("yum install -y x", "amazonlinux:2023", "/var/cache/dnf"),
    ("yum install -y x", "amazoncorretto:21-al2023", "/var/cache/dnf"),
    ("yum install -y x", "eclipse-temurin:21-jdk-ubi9-minimal", "/var/cache/dnf"),
    ("yum install -y x", "fedora:42", "/var/cache/libdnf5"),
    ("yum install -y x", "mcr.microsoft.com/azurelinux/base/core:3.0", "/var/cache/tdnf"),
    ("tdnf install -y x", "photon:5.0", "/var/cache/tdnf"),
    ("microdnf install x", "registry.access.redhat.com/ubi9/ubi-minimal", "/var/cache/yum"),
    ("microdnf install x", "quay.io/fedora/fedora-minimal:40", "/var/cache/libdnf5"),
    ("dnf-3 install x", None, "/var/cache/dnf"),
])
def test_rpm_cache_dir_follows_the_base_image(line, base, expected):
    (rc,) = resolve(line, base=base).values()
    assert rc.path == expected


@pytest.mark.parametrize("line, base", [
    ("dnf install -y x", None), ("dnf install -y x", "myorg/builder:1"), ("dnf clean all", "myorg/builder:1"),
    ("yum install -y x", None), ("yum install -y x", "quay.io/sclorg/s2i-base:latest"),
    ("dnf install -y x", "registry.fedoraproject.org/fedora-toolbox:stable"),   # fedora, no version in the tag
])
def test_rpm_cache_dir_unknown_when_the_image_does_not_say(line, base):
    """A guess would be worse than nothing: a fix on the wrong dir drops `dnf clean all` and turns
    keepcache on while dnf writes elsewhere, keeping every RPM in the image."""
    (rc,) = resolve(line, base=base).values()
    assert rc.path is None and "/var/cache/dnf" in rc.why and "/var/cache/libdnf5" in rc.why
    # A mount on any of the dirs counts as covering (no false CM101/CM102 for a user who knows).
    assert covers("/var/cache/dnf", rc) and covers("/var/cache/libdnf5", rc)
    assert not covers("/var/cache/apt", rc)


def test_other_os_dirs():
    assert path("microdnf install x") == "/var/cache/yum"
    assert path("zypper in x") == "/var/cache/zypp"
    assert path("apk add x") == "/var/cache/apk"
    assert path("tdnf install -y x") == "/var/cache/tdnf"


@pytest.mark.parametrize("line, env, assignments, expected", [
    # COMPOSER_CACHE_DIR=/dev/null is Composer's --no-cache: the dir is where it caches once that is gone
    ("composer install", {"COMPOSER_HOME": "/tmp"}, (("COMPOSER_CACHE_DIR", "/dev/null"),), "/tmp/cache"),
    ("composer install", {"COMPOSER_CACHE_DIR": "/dev/null"}, (), "/root/.composer/cache"),
    ("pip install x", {"PIP_CACHE_DIR": "/dev/null"}, (), "/root/.cache/pip"),
    ("pip install x", {"XDG_CACHE_HOME": "/dev/null"}, (), "/root/.cache/pip"),
    ("pip install --cache-dir /dev/null x", {}, (), "/root/.cache/pip"),
    ("pip install --cache-dir=/dev/shm/pip x", {"PIP_CACHE_DIR": "/pc"}, (), "/pc"),
    ("uv sync", {"UV_CACHE_DIR": "/dev/null"}, (), "/root/.cache/uv"),
    ("npm ci", {"npm_config_cache": "/dev/null"}, (), "/root/.npm"),
    ("go mod download", {"GOMODCACHE": "/dev/null", "GOPATH": "/go"}, (), "/go/pkg/mod"),
])
def test_a_device_is_never_the_cache_dir(line, env, assignments, expected):
    got = resolve(line, env, assignments=assignments)
    assert all(rc.path is None or not rc.path.startswith("/dev") for rc in got.values())
    assert next(iter(got.values())).path == expected


def test_configured_device_is_skipped():
    assert path("pnpm install", {"PNPM_HOME": "/pnpm"}, configured={"pnpm-store": "/dev/null"}) == "/pnpm/store"


def test_compiler_caches():
    assert path("ccache gcc -c a.c", {"CCACHE_DIR": "/ccache"}) == "/ccache"
    assert path("sccache rustc x", {}) == "/root/.cache/sccache"


# ---- expand ---------------------------------------------------------------------------------

@pytest.mark.parametrize("template,env,user,expected", [
    ("${A}/x", {"A": "/a"}, ROOT, "/a/x"),
    ("$A/x", {"A": "/a"}, ROOT, "/a/x"),
    ("${A:-/d}/x", {}, ROOT, "/d/x"),
    ("${A:-/d}/x", {"A": ""}, ROOT, "/d/x"),
    ("${A-/d}/x", {"A": "/a"}, ROOT, "/a/x"),
    ("${A-/d}/x", {}, ROOT, "/d/x"),
    ("${A}/x", {}, ROOT, None),
    ("${HOME}/.cache", {}, APP, "/home/app/.cache"),
    ("${HOME}/.cache", {"HOME": "/h"}, APP, "/h/.cache"),
    ("$HOME/.npm", {}, NO_HOME, None),
    ("~/.m2", {"HOME": "/h"}, APP, "/home/app/.m2"),
    ("~/.m2", {}, NO_HOME, None),
    ("/var/cache/apt", {}, NO_HOME, "/var/cache/apt"),
])
def test_expand(template, env, user, expected):
    assert expand(template, env, user) == expected


# ---- covers / intended_for ------------------------------------------------------------------

def _rc(line, key, env=None, user=ROOT):
    return resolve(line, env, user)[key]


def test_covers_basics():
    pip = _rc("pip install x", "pip")
    assert covers("/root/.cache/pip", pip)
    assert covers("/root/.cache/pip/", pip)
    assert covers("/root/.cache", pip)  # parent
    assert not covers("/", pip)
    assert not covers("/root/.cache/pip/http", pip)  # a subdir only keeps part
    assert not covers("/home/app/.cache/pip", pip)
    apt = _rc("apt-get update", "apt-lists")
    assert covers("/var/lib/apt", apt) and covers("/var/lib/apt/lists", apt)
    assert covers("/var/cache", _rc("apt-get install x", "apt-archives"))


def test_covers_cargo_subdirs():
    env = {"CARGO_HOME": "/usr/local/cargo"}
    reg = _rc("cargo build", "cargo-registry", env)
    git = _rc("cargo build", "cargo-git", env)
    for target in ("/usr/local/cargo/registry", "/usr/local/cargo/registry/", "/usr/local/cargo/registry/index",
                   "/usr/local/cargo/registry/cache"):
        assert covers(target, reg), target
    assert not covers("/usr/local/cargo/registry/src", reg)
    assert covers("/usr/local/cargo/git/db", git) and covers("/usr/local/cargo/git", git)
    assert not covers("/usr/local/cargo/git/checkouts", git)


def test_covers_go_mod_and_partial_cache():
    mod = _rc("go mod download", "go-mod", {"GOPATH": "/go"})
    assert covers("/go/pkg/mod", mod)
    assert covers("/go/pkg/mod/cache", mod)  # partial (zips only) but counted: see managers.py
    assert covers("/go/pkg/mod/cache/download", mod)
    assert not covers("/go/pkg/mod/github.com", mod)
    assert not covers("/root/go/pkg/mod", mod)


@pytest.mark.parametrize("target,key,expected", [
    ("/root/.cache/pip", "pip", True),
    ("/home/nonroot/.cache/pip", "pip", True),
    ("/pip-cache", "pip", True),
    ("/opt/ccache", "pip", False),
    ("/opt/ccache", "ccache", True),
    ("/root/.npm", "npm", True),
    ("/home/node/.npm", "npm", True),
    ("/root/.npm", "pip", False),
    ("/go/pkg/mod", "go", True),
    ("/go/pkg/mod/cache", "go", True),
    ("/go-build", "go", True),
    ("/root/.cache/go-build", "go", True),
    ("/root/.m2", "maven", True),
    ("/home/app/.m2/repository", "maven", True),
    ("/root/.gradle", "gradle", True),
    ("/home/gradle/.gradle", "gradle", True),
    ("/usr/local/cargo/registry", "cargo", True),
    ("/usr/local/cargo/git/db", "cargo", True),
    ("/app/target", "cargo", False),
    ("/var/cache/apt", "apt-get", True),
    ("/var/lib/apt", "apt-get", True),
    ("/var/cache/apt", "apk", False),
    ("/var/cache/apk", "apk", True),
    ("/frontend/.cache/pnpm", "pnpm", True),
    ("/pnpm/store", "pnpm", True),
    ("/root/.local/share/pnpm/store", "pnpm", True),
    ("/usr/local/share/.cache/yarn", "yarn", True),
    ("/root/.cache/yarn", "yarn", True),
    ("/tmp/cache", "composer", True),
    ("/root/.nuget/packages", "dotnet", True),
    ("/root/.nuget", "dotnet", True),
    ("/source/obj", "dotnet", False),
    ("/opt/conda/pkgs", "conda", True),
    ("/opt/conda/pkgs", "micromamba", True),
    ("/usr/local/bundle/ruby/3.3.0/cache", "bundler", True),
    ("/root/.cache/uv", "uv", True),
    ("/var/cache/pypoetry", "poetry", True),
    ("/var/cache/dnf", "dnf", True),
    ("/var/cache/libdnf5", "dnf", True),
    ("/var/cache/zypp", "zypper", True),
    ("/root/.cache/pip", "uv", False),
    ("/", "pip", False),
    ("relative/path", "pip", False),
])
def test_intended_for(target, key, expected):
    assert intended_for(target, BY_KEY[key]) is expected


def test_never_mount():
    cargo = BY_KEY["cargo"]
    env = {"CARGO_HOME": "/usr/local/cargo"}
    assert never_mount_hit("/usr/local/cargo", cargo, env, ROOT) == "/usr/local/cargo/bin"
    assert never_mount_hit("/usr/local/cargo/registry", cargo, env, ROOT) is None
    assert never_mount_hit("/app/node_modules", BY_KEY["npm"], {}, ROOT) == "node_modules"
    assert never_mount_hit("/root/.npm", BY_KEY["npm"], {}, ROOT) is None
    assert never_mount_hit("/app/.yarn/cache", BY_KEY["yarn-berry"], {}, ROOT) == ".yarn/cache"
    assert never_mount_hit("/usr/local/bundle", BY_KEY["bundler"], {"GEM_HOME": "/usr/local/bundle"}, ROOT)
