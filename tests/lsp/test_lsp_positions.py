"""Code-point offsets <-> LSP positions in every encoding (pure)."""
import pytest

from cachemount.lsp.positions import LineIndex, negotiate, units

TEXT = "FROM x\r\n# 😀 日本語 é\nRUN echo 'ÿ😀'\rlast"


def test_negotiate():
    assert negotiate(None) == "utf-16"
    assert negotiate([]) == "utf-16"
    assert negotiate(["utf-8", "utf-16"]) == "utf-8"
    assert negotiate(["utf-32"]) == "utf-32"
    assert negotiate(["latin-1", "utf-16"]) == "utf-16"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_round_trip_every_offset(encoding):
    index = LineIndex(TEXT, encoding)
    assert index.line_count == 4   # \r\n, \n and a lone \r all end lines
    for offset in range(len(TEXT) + 1):
        line, character = index.position(offset)
        back = index.offset(line, character)
        if TEXT[offset - 1:offset + 1] == "\r\n" and offset > 0:
            assert back == offset - 1   # inside a CRLF: the end of that line
        else:
            assert back == offset, (offset, line, character)


def test_units_per_encoding():
    line = "# 😀 日本語 é"
    assert units(line, "utf-32") == len(line) == 9
    assert units(line, "utf-16") == 10          # the emoji is a surrogate pair
    assert units(line, "utf-8") == 2 + 4 + 1 + 9 + 1 + 2 == 19


def test_known_positions():
    index = LineIndex(TEXT, "utf-16")
    run = TEXT.index("RUN")
    assert index.position(run) == (2, 0)
    quote = TEXT.index("'ÿ") + 2      # after ÿ, before the emoji
    assert index.position(quote) == (2, 11)
    assert index.position(quote + 1) == (2, 13)
    assert LineIndex(TEXT, "utf-8").position(quote + 1) == (2, 16)
    assert index.position(TEXT.index("last")) == (3, 0)


def test_clamping_and_rounding():
    index = LineIndex(TEXT, "utf-16")
    assert index.offset(99, 0) == len(TEXT)
    assert index.offset(0, 999) == TEXT.index("\r")          # past the end of a line: its end
    assert index.offset(-1, 5) == 0
    emoji = TEXT.index("😀")
    assert index.offset(1, 3) == emoji                          # inside the surrogate pair: rounds down
    assert index.position(-5) == (0, 0)
    assert index.position(10**9) == index.position(len(TEXT))


def test_only_lsp_line_breaks():
    text = "a\u2028b\x0cc\x85d\ne"
    index = LineIndex(text, "utf-16")
    assert index.line_count == 2
    assert index.position(text.index("e")) == (1, 0)
    assert index.position(text.index("d")) == (0, 6)


def test_lone_surrogate_does_not_raise():
    text = "a\ud800b"
    for enc in ("utf-8", "utf-16", "utf-32"):
        index = LineIndex(text, enc)
        assert index.offset(*index.position(3)) == 3
