"""`cachemount.records.Record` behaves as the `@dataclass` it replaces (issue 12: the engine's value
classes are records so that `cachemount check` does not compile dataclass methods at every start).
Each check builds the same class both ways and compares what they do."""
from __future__ import annotations

import dataclasses

import pytest

from cachemount.records import FrozenInstanceError, Record, field, replace


@dataclasses.dataclass(frozen=True)
class DFrozen:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    hidden: object = dataclasses.field(default=None, repr=False, compare=False)


class RFrozen(Record):
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    hidden: object = field(default=None, repr=False, compare=False)


@dataclasses.dataclass
class DMutable:
    a: int
    items: list[int] = dataclasses.field(default_factory=list)
    seen: dict[str, int] = dataclasses.field(default_factory=dict, compare=False)


class RMutable(Record, frozen=False):
    a: int
    items: list[int] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict, compare=False)


def _strip(text: str) -> str:
    return text.replace("DFrozen", "X").replace("RFrozen", "X").replace("DMutable", "X").replace("RMutable", "X")


CALLS = [((1,), {}), ((1, "y"), {}), ((1,), {"c": (2, 3)}), ((), {"a": 1, "b": "z", "hidden": 5}),
         ((1, "y", (4,), "h"), {})]


@pytest.mark.parametrize("args,kwargs", CALLS)
def test_frozen_fields_repr_eq_hash(args, kwargs):
    d, r = DFrozen(*args, **kwargs), RFrozen(*args, **kwargs)
    assert (r.a, r.b, r.c, r.hidden) == (d.a, d.b, d.c, d.hidden)
    assert _strip(repr(r)) == _strip(repr(d))
    twin = RFrozen(*args, **kwargs)
    assert r == twin and hash(r) == hash(twin) and not (r != twin)
    other = replace(r, hidden="different")   # compare=False: still equal, same hash
    assert other == r and hash(other) == hash(r) and other.hidden == "different"
    assert replace(r, a=r.a + 1) != r
    assert r != d and d != r          # another class is never equal (NotImplemented both ways)
    assert r != (r.a, r.b, r.c)
    assert len({r, twin, other}) == 1


def test_frozen_assignment_and_deletion_raise_like_a_dataclass():
    r = RFrozen(1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'a'"):
        r.a = 2   # type: ignore[misc]
    with pytest.raises(AttributeError):
        del r.a   # type: ignore[misc]
    with pytest.raises(AttributeError):
        r.new = 1   # type: ignore[attr-defined]
    object.__setattr__(r, "hidden", 3)   # the escape hatch a lazily computed field uses
    assert r.hidden == 3 and r.a == 1


def test_mutable_records_have_fresh_defaults_and_no_hash():
    d, r = DMutable(1), RMutable(1)
    r.items.append(1)
    d.items.append(1)
    assert RMutable(1).items == [] and r.items == [1]
    r.a = 5
    d.a = 5
    assert _strip(repr(r)) == _strip(repr(d))
    assert r == RMutable(5, [1], {"ignored": 1}) and r != RMutable(5)
    with pytest.raises(TypeError):
        hash(r)
    with pytest.raises(TypeError):
        hash(d)


@pytest.mark.parametrize("args,kwargs", [((), {}), ((1, "b", (), None, "extra"), {}), ((1,), {"a": 2}),
                                         ((1,), {"nope": 2}), ((), {"b": "x"})])
def test_bad_arguments_raise_type_error_like_a_dataclass(args, kwargs):
    with pytest.raises(TypeError) as dataclass_error:
        DFrozen(*args, **kwargs)
    with pytest.raises(TypeError) as record_error:
        RFrozen(*args, **kwargs)
    assert str(record_error.value).replace("RFrozen", "DFrozen") == str(dataclass_error.value)


def test_replace_checks_field_names():
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        replace(RFrozen(1), nope=2)


def test_post_init_runs_after_the_fields_are_set():
    class Derived(Record, frozen=False):
        a: int
        double: int = 0

        def __post_init__(self) -> None:
            self.double = self.a * 2

    assert Derived(3).double == 6


def test_declaration_mistakes_are_refused_as_dataclasses_refuses_them():
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        class Order(Record):
            a: int = 0
            b: int
    with pytest.raises(ValueError, match="mutable default"):
        class Shared(Record):
            a: list[int] = []   # noqa: RUF012
    with pytest.raises(TypeError, match="does not inherit"):
        class Child(RFrozen):
            d: int = 0
