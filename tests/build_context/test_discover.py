"""Which build context a Dockerfile is built with: given, named by a compose or bake file, or its
directory; unknown for stdin or when two files disagree."""
import os

import pytest

from cachemount.build_context import ContextError, discover, given
from cachemount.build_context.bake import UNKNOWN, parse_hcl, resolve
from cachemount.build_context.discover import compose_builds


def write(root, files):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def real(path):
    return os.path.realpath(path)


def test_no_path_is_unknown():
    assert discover(None) is None and discover("") is None


def test_default_is_the_dockerfiles_directory(tmp_path):
    write(tmp_path, {"svc/Dockerfile": "FROM x\n", ".git/HEAD": ""})
    ctx = discover(str(tmp_path / "svc" / "Dockerfile"))
    assert real(ctx.root) == real(tmp_path / "svc") and ctx.origin == "the Dockerfile's directory"


COMPOSE_FORMS = [
    ("mapping", "services:\n  api:\n    build:\n      context: .\n      dockerfile: services/api/Dockerfile\n"),
    ("flow", "services:\n  api:\n    build: {context: ., dockerfile: \"services/api/Dockerfile\"}\n"),
    ("quoted keys, comments", "# app\nservices:\n  'api':   # the api\n    image: x\n    build:\n"
                              "      dockerfile: 'services/api/Dockerfile'  # here\n      context: \"./\"\n"),
    ("anchors elsewhere", "x-common: &common\n  restart: always\nservices:\n  api:\n    <<: *common\n"
                          "    command: >\n      run this\n    build:\n      context: .\n"
                          "      dockerfile: services/api/Dockerfile\n"),
]


@pytest.mark.parametrize("name, compose", COMPOSE_FORMS, ids=[c[0] for c in COMPOSE_FORMS])
def test_compose_service_names_the_dockerfile(tmp_path, name, compose):
    write(tmp_path, {"services/api/Dockerfile": "FROM x\n", "compose.yaml": compose, ".git/HEAD": ""})
    ctx = discover(str(tmp_path / "services" / "api" / "Dockerfile"))
    assert real(ctx.root) == real(tmp_path) and "service 'api'" in ctx.origin


def test_compose_string_form_is_the_context_with_the_default_dockerfile(tmp_path):
    write(tmp_path, {"web/Dockerfile": "FROM x\n", "deploy/docker-compose.yml": "services:\n  web:\n    build: ../web\n"})
    # the compose file is not in a parent of the Dockerfile: not found
    assert real(discover(str(tmp_path / "web" / "Dockerfile")).root) == real(tmp_path / "web")
    write(tmp_path, {"docker-compose.yml": "services:\n  web:\n    build: ./web\n"})
    ctx = discover(str(tmp_path / "web" / "Dockerfile"))
    assert real(ctx.root) == real(tmp_path / "web") and "docker-compose.yml" in ctx.origin


def test_a_service_for_another_dockerfile_does_not_count(tmp_path):
    write(tmp_path, {"a/Dockerfile": "FROM x\n", "compose.yaml": "services:\n  b:\n    build:\n      context: .\n"
                                                                  "      dockerfile: b/Dockerfile\n"})
    assert real(discover(str(tmp_path / "a" / "Dockerfile")).root) == real(tmp_path / "a")


def test_two_files_that_disagree_make_it_unknown(tmp_path):
    write(tmp_path, {"app/Dockerfile": "FROM x\n",
                     "compose.yaml": "services:\n  one:\n    build:\n      context: .\n      dockerfile: app/Dockerfile\n"
                                     "  two:\n    build: app\n"})
    assert discover(str(tmp_path / "app" / "Dockerfile")) is None


def test_interpolated_values_are_not_read(tmp_path):
    write(tmp_path, {"app/Dockerfile": "FROM x\n", ".git/HEAD": "",
                     "compose.yaml": "services:\n  one:\n    build:\n      context: ${CTX:-.}\n"
                                     "      dockerfile: app/Dockerfile\n"})
    assert real(discover(str(tmp_path / "app" / "Dockerfile")).root) == real(tmp_path / "app")


def test_the_walk_stops_at_the_repository_root(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  a:\n    build:\n      context: repo\n"
                                     "      dockerfile: svc/Dockerfile\n",
                     "repo/.git/HEAD": "", "repo/svc/Dockerfile": "FROM x\n"})
    assert real(discover(str(tmp_path / "repo" / "svc" / "Dockerfile")).root) == real(tmp_path / "repo" / "svc")


BAKE = '''
variable "TAG" { default = "latest" }
group "default" { targets = ["api", "worker"] }
# comment
target "base" {
  context = "."
}
target "api" {
  inherits = ["base"]
  dockerfile = "services/api/Dockerfile"   // relative to the context
  tags = ["app/api:${TAG}"]
  args = {
    A = "b"
  }
}
target "worker" {
  context = "${ROOT}"
  dockerfile = "services/worker/Dockerfile"
}
'''


def test_bake_hcl_targets_with_inherits(tmp_path):
    got = {name: (ctx, df) for name, ctx, df in resolve(parse_hcl(BAKE))}
    assert got["api"] == (".", "services/api/Dockerfile")
    assert got["worker"][0] is UNKNOWN
    write(tmp_path, {"services/api/Dockerfile": "FROM x\n", "services/worker/Dockerfile": "FROM x\n",
                     "docker-bake.hcl": BAKE})
    ctx = discover(str(tmp_path / "services" / "api" / "Dockerfile"))
    assert real(ctx.root) == real(tmp_path) and "target 'api'" in ctx.origin
    # the interpolated context is never guessed: the Dockerfile's directory
    assert real(discover(str(tmp_path / "services" / "worker" / "Dockerfile")).root) == \
        real(tmp_path / "services" / "worker")


def test_bake_json_form(tmp_path):
    write(tmp_path, {"docker/app.Dockerfile": "FROM x\n",
                     "docker-bake.json": '{"target": {"app": {"context": "docker", "dockerfile": "app.Dockerfile"}}}'})
    ctx = discover(str(tmp_path / "docker" / "app.Dockerfile"))
    assert real(ctx.root) == real(tmp_path / "docker") and "target 'app'" in ctx.origin


def test_unreadable_files_are_skipped(tmp_path):
    write(tmp_path, {"Dockerfile": "FROM x\n", "compose.yaml": "services: [\n", "docker-bake.hcl": 'target "x" {'})
    assert real(discover(str(tmp_path / "Dockerfile")).root) == real(tmp_path)


def test_compose_forms_that_cannot_be_read_are_not_guessed():
    text = ("services:\n  a:\n    build: *shared\n  b:\n    build:\n      <<: *more\n      context: x\n"
            "  c:\n    build:\n      context: git@github.com:me/repo.git\n  d:\n    build:\n      dockerfile_inline: |\n"
            "        FROM x\n  e:\n    build: ok\n")
    assert compose_builds(text) == [("e", "ok", "Dockerfile")]


def test_given_context(tmp_path):
    ctx = given(str(tmp_path), None, "--context")
    assert real(ctx.root) == real(tmp_path)
    with pytest.raises(ContextError, match="no such directory"):
        given(str(tmp_path / "nope"), None, "--context")
    (tmp_path / "file").write_text("")
    with pytest.raises(ContextError, match="not a directory"):
        given(str(tmp_path / "file"), None, "--context")
