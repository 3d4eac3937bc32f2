""".dockerignore semantics, checked against moby/patternmatcher's own test table (its
MatchesOrParentMatches subtest: a path is excluded when a pattern matches it or a parent) and
ignorefile.ReadAll's reading rules."""
import pytest

from cachemount.build_context.ignore import Matcher, clean, read_patterns

# (pattern, path, excluded): moby/patternmatcher TestMatches, `pass != fail`
SINGLE = [
    ("**", "file", True), ("**/", "file", True), ("**", "dir/file", True), ("**/", "dir/file", True),
    ("**/**", "dir/file", True), ("dir/**", "dir/file", True), ("dir/**", "dir/dir2/file", True),
    ("**/dir", "dir", True), ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True), ("**file", "file", True), ("**file", "dir/file", True),
    ("**/file", "dir/file", True), ("**file", "dir/dir/file", True), ("**/file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file", True), ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True), ("**/file*.txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True), ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False), ("**/*.txt", "file.txt", True), ("**/**/*.txt", "file.txt", True),
    ("a**/*.txt", "a/file.txt", True), ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True), ("a/*.txt", "a/dir/file.txt", False), ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True), ("a[b-d]e", "ae", False), ("a[b-d]e", "ace", True), ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True), (".*", ".foo", True), (".*", "foo", False), ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True), ("abc.def", "abcZdef", False), ("abc?def", "abcZdef", True),
    ("abc?def", "abcdef", False), ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True), ("abc/**", "abc", False), ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True), ("**/.foo", ".foo", True), ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True), ("a(b)c/def", "a(b)c/xyz", False), ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\\\", "a\\", True), ("a\\*b", "a*b", True), ("a\\*b", "ab", False),
    # a directory pattern excludes what is inside it
    ("docs", "docs/README.md", True), ("docs/", "docs/README.md", True), ("docs/*", "docs/README.md", True),
    ("node_modules", "packages/a/node_modules/x", False), ("**/node_modules", "packages/a/node_modules/x", True),
]


@pytest.mark.parametrize("pattern, path, excluded", SINGLE)
def test_one_pattern(pattern, path, excluded):
    assert Matcher([pattern]).excluded(path) is excluded


MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["!fileutils.go", "*.go"], "fileutils.go", True),          # the last match wins
    (["*.go", "!fileutils.go"], "fileutils.go", False),
    (["docs", "!docs/README.md"], "docs/README.md", False),     # an exception inside an excluded dir
    (["docs/*", "!docs/README.md"], "docs/README.md", False),
    (["*", "!package.json", "!package-lock.json"], "package.json", False),
    (["*", "!package.json"], "package-lock.json", True),
]


@pytest.mark.parametrize("patterns, path, excluded", MULTI)
def test_patterns_in_order_last_match_wins(patterns, path, excluded):
    assert Matcher(patterns).excluded(path) is excluded


def test_the_root_is_never_excluded():
    assert Matcher(["*", "**"]).excluded(".") is False


def test_read_patterns_like_ignorefile_readall():
    text = ("\ufefftest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n"
            "  ./b/../c/  \n!\n")
    assert read_patterns(text) == ["test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "c", "!"]


def test_a_pattern_buildkit_rejects_makes_the_file_unusable():
    assert Matcher(["!"]).unusable
    assert Matcher(["["]).unusable
    assert Matcher(["a", "!b"]).unusable is None


@pytest.mark.parametrize("path, cleaned", [("./a/", "a"), ("a//b/./c", "a/b/c"), ("a/../..", ".."), ("", "."),
                                           ("/x/../y", "/y"), ("/..", "/")])
def test_clean_is_go_filepath_clean(path, cleaned):
    assert clean(path) == cleaned
