"""Workspace members read from the build context, for each format knowledge/workspaces.py lists,
and the manifest contents that make an install read more."""
import pytest

from cachemount.build_context import BuildContext
from cachemount.build_context.manifest_contents import check
from cachemount.build_context.workspaces import members
from cachemount.findings import SAFE, UNSAFE
from cachemount.fixing.apply import apply_fix
from cachemount.lint import lint


def context(tmp_path, files):
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return BuildContext(str(tmp_path))


FORMATS = [
    ("cargo", {"Cargo.toml": '[workspace]\nmembers = ["crates/*", "cli"]\nexclude = ["crates/old"]\n',
               "crates/a/Cargo.toml": "", "crates/old/Cargo.toml": "", "cli/Cargo.toml": ""},
     ["crates/a/Cargo.toml", "cli/Cargo.toml"]),
    ("maven", {"pom.xml": "<project><modules><module>core</module><!-- <module>old</module> -->"
                          "<module>web</module></modules></project>",
               "core/pom.xml": "<project/>", "web/pom.xml": "<project><modules><module>ui</module></modules></project>",
               "web/ui/pom.xml": "<project/>", "old/pom.xml": "<project/>"},
     ["core/pom.xml", "web/pom.xml", "web/ui/pom.xml"]),
    ("gradle", {"settings.gradle.kts": 'rootProject.name = "x"\ninclude("app", ":lib:core")\n// include("old")\n',
                "app/build.gradle.kts": "", "lib/core/build.gradle": ""},
     ["app/build.gradle.kts", "lib/core/build.gradle"]),
    ("go", {"go.work": "go 1.22\n\nuse (\n\t./api\n\t./tools // tools\n)\nuse ./web\n",
            "go.work.sum": "", "api/go.mod": "", "api/go.sum": "", "tools/go.mod": "", "web/go.mod": ""},
     ["go.work.sum", "go.work", "api/go.mod", "api/go.sum", "tools/go.mod", "web/go.mod"]),
    ("uv", {"pyproject.toml": '[project]\nname="x"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "packages/a/pyproject.toml": "", "packages/b/README": ""},
     ["packages/a/pyproject.toml"]),
    ("npm", {"package.json": '{"workspaces": ["apps/*", "!apps/legacy"]}', "apps/web/package.json": "{}",
             "apps/legacy/package.json": "{}"},
     ["apps/web/package.json"]),
    ("pnpm", {"pnpm-workspace.yaml": "packages:\n  - apps/*\n  - 'libs/**'\n", "apps/a/package.json": "{}",
              "libs/x/y/package.json": "{}"},
     ["pnpm-workspace.yaml", "apps/a/package.json", "libs/x/y/package.json"]),
]


@pytest.mark.parametrize("key, files, expected", FORMATS, ids=[f[0] for f in FORMATS])
def test_members_of_each_format(tmp_path, key, files, expected):
    got = members(context(tmp_path, files), ".", key)
    assert got.declared and got.problem is None, got.problem
    assert got.files == expected


def test_no_workspace_declared(tmp_path):
    got = members(context(tmp_path, {"package.json": '{"name": "x"}'}), ".", "npm")
    assert not got.declared and got.files == []


@pytest.mark.parametrize("key, files, problem", [
    ("gradle", {"settings.gradle": "include 'a'\nproject(':a').projectDir = file('x')\n"}, "with code"),
    ("npm", {"package.json": '{"workspaces": ["../shared"]}'}, "outside the project"),
    ("npm", {"package.json": '{"workspaces": ["missing"]}'}, "not in the build context"),
    ("cargo", {"Cargo.toml": "[workspace\n"}, "could not be read"),
    ("maven", {"pom.xml": "<modules><module>../flat</module></modules>"}, "outside the project"),
])
def test_members_that_cannot_be_listed_say_why(tmp_path, key, files, problem):
    got = members(context(tmp_path, files), ".", key)
    assert got.declared and got.problem and problem in got.problem


def test_members_of_a_project_in_a_subdirectory(tmp_path):
    ctx = context(tmp_path, {"web/package.json": '{"workspaces": ["packages/*"]}', "web/packages/a/package.json": "{}"})
    assert members(ctx, "web", "npm").files == ["web/packages/a/package.json"]


@pytest.mark.parametrize("key, path, text, reason, more", [
    ("requirements", "req.txt", "flask==3\n-r base.txt\n", None, ["base.txt"]),
    ("requirements", "req.txt", "./libs/x\n", "local path", []),
    ("requirements", "req.txt", "x @ file:///src/x\n", "local path", []),
    ("pyproject-paths", "pyproject.toml", '[tool.uv.sources]\nx = { path = "../x" }\n', "path dependencies", []),
    ("pyproject-paths", "pyproject.toml", '[tool.uv.sources]\nx = { workspace = true }\n', None, []),
    ("go-replace", "go.mod", "module m\nreplace a/b => ../b\n", "local directory", []),
    ("go-replace", "go.mod", "module m\nreplace a/b => a/c v1.0.0\n", None, []),
    ("yarnrc-yml", ".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.1.0.cjs\nnodeLinker: node-modules\n", None,
     [".yarn/releases/yarn-4.1.0.cjs"]),
    ("gemfile-paths", "Gemfile", "source 'https://rubygems.org'\ngemspec\n", "gemspec", []),
    ("composer-scripts", "composer.json", '{"scripts": {"post-install-cmd": ["x"]}}', "scripts", []),
])
def test_manifest_contents(tmp_path, key, path, text, reason, more):
    ctx = context(tmp_path, {path: text, "base.txt": "requests\n"})
    got_reason, got_more = check(ctx, key, path)
    assert (got_reason is None) == (reason is None) and (reason is None or reason in got_reason), got_reason
    assert got_more == more


def test_maven_multi_module_fix_copies_every_pom(tmp_path):
    ctx = context(tmp_path, {"pom.xml": "<project><modules><module>core</module></modules></project>",
                             "core/pom.xml": "<project/>", "core/src/Main.java": ""})
    text = "FROM maven:3.9\nWORKDIR /src\nCOPY . .\nRUN mvn -B dependency:go-offline\n"
    (f,) = [f for f in lint(text, build_context=ctx) if f.code == "CM201"]
    assert f.fix.applicability == SAFE
    assert "COPY pom.xml ./\nCOPY core/pom.xml core/\nRUN mvn -B dependency:go-offline\nCOPY . .\n" in \
        apply_fix(text, f.fix)


def test_maven_wrapper_files_are_copied(tmp_path):
    ctx = context(tmp_path, {"pom.xml": "<project/>", "mvnw": "", ".mvn/wrapper/maven-wrapper.properties": ""})
    text = "FROM eclipse-temurin:21\nWORKDIR /src\nCOPY . .\nRUN ./mvnw dependency:go-offline\n"
    (f,) = [f for f in lint(text, build_context=ctx) if f.code == "CM201"]
    assert f.fix.applicability == SAFE, f.fix.title
    assert "COPY pom.xml mvnw ./\nCOPY .mvn .mvn/\n" in apply_fix(text, f.fix)


def test_gradle_fix_is_offered_but_never_safe(tmp_path):
    ctx = context(tmp_path, {"settings.gradle": "include 'app'\n", "build.gradle": "", "app/build.gradle": ""})
    text = "FROM gradle:8\nWORKDIR /src\nCOPY . .\nRUN gradle dependencies\n"
    (f,) = [f for f in lint(text, build_context=ctx) if f.code == "CM201"]
    assert f.fix.applicability == UNSAFE and "Gradle build scripts" in f.fix.title
    assert "COPY app/build.gradle app/\n" in apply_fix(text, f.fix)


def test_tables_name_known_managers_and_readers():
    from fnmatch import fnmatchcase
    from cachemount.build_context.manifest_contents import _CHECKS
    from cachemount.build_context.workspaces import READERS
    from cachemount.knowledge.managers import MANAGERS
    from cachemount.knowledge.workspaces import (CONTENT_CHECK_FILES, CONTENT_CHECKS, CONTEXT_FREE_INSTALLS, CWD_CONFIG,
                                                 INSTALLS_AFTER_PREFETCH, MANIFESTS, REGISTRY_ONLY_INSTALLS,
                                                 SUBCOMMAND_MANIFESTS, WORKSPACES)
    keys = {m.key for m in MANAGERS}
    for table in (MANIFESTS, CONTEXT_FREE_INSTALLS, CWD_CONFIG, INSTALLS_AFTER_PREFETCH, REGISTRY_ONLY_INSTALLS):
        assert set(table) <= keys
    assert {k for k, _ in SUBCOMMAND_MANIFESTS} <= keys
    assert {s.reader for s in WORKSPACES.values()} <= set(READERS)
    assert set(CONTENT_CHECKS) == set(CONTENT_CHECK_FILES) == set(_CHECKS)
    for spec in list(MANIFESTS.values()) + list(SUBCOMMAND_MANIFESTS.values()):
        assert spec.workspace is None or spec.workspace in WORKSPACES
        assert set(spec.contents) <= set(CONTENT_CHECKS)
        copied = list(spec.copy) + [f for _, files in spec.wrappers for f in files]
        assert all(any(fnmatchcase(r, c) for c in copied) for r in spec.required), spec   # required ones are copied
    # every manager with a dependency step that names manifests says what its install reads
    assert all(m.key in MANIFESTS for m in MANAGERS if m.dep_steps and (m.copy_manifests or m.manifest_options))
