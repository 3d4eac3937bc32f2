"""State along stage lineages: ARG/ENV expansion, USER, WORKDIR, inheritance, image defaults."""
import pytest

from cachemount.document.expand import expand
from cachemount.semantics.pipeline import analyze


def ctx_at(text, needle):
    a = analyze(text)
    for instr in a.doc.instructions:
        if needle in text[instr.start:instr.end]:
            return a.contexts[instr.index]
    raise AssertionError(needle)


@pytest.mark.parametrize("value, env, expected", [
    ("$A", {"A": "1"}, "1"), ("${A}", {"A": "1"}, "1"), ("${A:-d}", {}, "d"), ("${A:-d}", {"A": ""}, "d"),
    ("${A-d}", {"A": ""}, ""), ("${A:+x}", {"A": "1"}, "x"), ("${A:+x}", {}, ""), ("pre/$A/post", {"A": "m"}, "pre/m/post"),
    ("'$A'", {"A": "1"}, "$A"), ('"$A"', {"A": "1"}, "1"), ("\\$A", {"A": "1"}, "$A"), ("$MISSING", {}, None),
    ("${A:-$B}", {"B": "b"}, "b"),
])
def test_expand(value, env, expected):
    assert expand(value, env) == expected


def test_global_arg_in_from_and_arg_redeclared_in_stage():
    text = "ARG BASE=node:22\nARG V=1\nFROM ${BASE}\nARG V\nRUN echo $V\n"
    c = ctx_at(text, "RUN echo")
    assert c.base == "node:22" and c.env["V"] == "1"


def test_env_forms_and_expansion():
    text = "FROM python:3.12\nENV A=1 B=\"two words\"\nENV C $A-x\nENV D=${B:-z}\nRUN true\n"
    env = ctx_at(text, "RUN true").env
    assert (env["A"], env["B"], env["C"], env["D"]) == ("1", "two words", "1-x", "two words")


def test_stage_inherits_user_env_workdir():
    text = ("FROM python:3.12 AS base\nRUN useradd -m -u 1001 app\nENV PIP_CACHE_DIR=/pc\nWORKDIR /app\nUSER app\n"
            "FROM base AS dev\nRUN true\nFROM python:3.12\nRUN false\n")
    dev = ctx_at(text, "RUN true")
    assert (dev.user.name, dev.user.uid, dev.user.home, dev.env["PIP_CACHE_DIR"], dev.workdir) == \
        ("app", 1001, "/home/app", "/pc", "/app")
    fresh = ctx_at(text, "RUN false")
    assert fresh.user.is_root and "PIP_CACHE_DIR" not in fresh.env and fresh.workdir == "/"


def test_user_reset_in_derived_stage():
    text = "FROM node:22 AS lean\nUSER node\nFROM lean AS dev\nUSER root\nRUN npm ci\n"
    assert ctx_at(text, "RUN npm").user.is_root


def test_relative_workdir_and_arg_user():
    text = "FROM alpine\nARG U=svc\nWORKDIR /a\nWORKDIR b/../c\nRUN adduser -D -u 1234 $U\nUSER $U\nRUN true\n"
    c = ctx_at(text, "RUN true")
    assert c.workdir == "/a/c" and (c.user.name, c.user.uid, c.user.home) == ("svc", 1234, "/home/svc")


def test_official_image_defaults():
    c = ctx_at("FROM mambaorg/micromamba:1.5\nRUN true\n", "RUN true")
    assert (c.user.name, c.user.uid, c.user.gid) == ("mambauser", 57439, 57439)
    c = ctx_at("FROM golang:1.23-alpine\nRUN true\n", "RUN true")
    assert c.env["GOPATH"] == "/go" and c.os_family == "alpine"
    c = ctx_at("FROM node:22\nUSER node\nRUN true\n", "RUN true")
    assert (c.user.uid, c.user.home) == (1000, "/home/node")
    c = ctx_at("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n", "RUN dir")
    assert c.os_family == "windows"


def test_unknown_base_and_numeric_user():
    c = ctx_at("ARG BASE\nFROM $BASE\nUSER 1001\nRUN true\n", "RUN true")
    assert c.base is None and c.os_family is None
    assert c.user.uid == 1001 and c.user.home is None
