"""Shell commands with a known meaning for layer caching. DATA only."""
from __future__ import annotations

# Commands that may share a RUN with OS package installs without tying it to the build context.
OS_STEP_COMPANIONS = frozenset({"rm", "ln", "echo", "set", "true", "mkdir", "printf", "apt-mark",
                                 "update-ca-certificates",
                                 "locale-gen", "chmod", "chown", "export", "dpkg-reconfigure", "cd", "["})

# Commands that run a project's own build steps, which may call any package manager (`make build`
# runs `go build`): a later step of this kind may read packages an earlier step downloaded.
BUILD_RUNNERS = frozenset({"make", "gmake", "task", "just", "mage", "ninja", "bazel", "bazelisk", "goreleaser",
                           "rake", "scons"})
