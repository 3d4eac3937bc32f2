"""Value classes without the start-up cost of `@dataclass`.

`@dataclass` writes the source of `__init__`, `__repr__`, `__eq__`, `__hash__` (and for a frozen
class `__setattr__` and `__delattr__`) and compiles it every time the class is created: about a
millisecond per class, a third of a `cachemount check` of a small file for the engine's ~50 value
classes (issue 12). A `Record` subclass declares its fields as a dataclass does (annotated class
attributes, defaults, `field(...)`) and gets the same behaviour from the methods below, which are
compiled once, into the bytecode cache:

- `__init__` takes the fields in order, positionally or by keyword, with their defaults, and then
  calls `__post_init__` if the class has one;
- `__repr__` is `Name(a=1, b='x')` without the `repr=False` fields;
- `__eq__` holds between instances of the same class whose fields, but the `compare=False` ones, are
  equal;
- frozen by default: assigning a field raises `FrozenInstanceError`, and the record is hashable;
  `class X(Record, frozen=False)` is mutable and, like a dataclass with `eq=True`, unhashable;
- `replace(record, **changes)` is `dataclasses.replace`.

A record does not inherit from another record. Type checkers read records as dataclasses
(`dataclass_transform`, PEP 681).
"""
from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

__all__ = ["FrozenInstanceError", "Record", "field", "replace"]

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_options):   # only type checkers read it
        return lambda cls: cls


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (as `dataclasses.FrozenInstanceError`)."""


_MISSING: Any = object()


class _Field:
    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None, repr: bool, compare: bool) -> None:
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's options, as `dataclasses.field`."""
    if default is not _MISSING and default_factory is not None:
        raise ValueError("cannot specify both default and default_factory")
    return _Field(default, default_factory, repr, compare)


def _no_fields(_record: object) -> tuple[()]:   # the key of a record that compares no field
    return ()


R = TypeVar("R", bound="Record")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """The base of a value class: see the module's docstring."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _field_set: ClassVar[frozenset[str]] = frozenset()
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]] = ()
    _repr_fields: ClassVar[tuple[str, ...]] = ()
    _key: ClassVar[Callable[[Any], Any]]   # the compared fields' values, read as `type(self)._key`
    _post_init: ClassVar[bool] = False

    def __init_subclass__(cls, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if any(issubclass(base, Record) and base is not Record for base in cls.__bases__):
            raise TypeError(f"{cls.__qualname__}: a record does not inherit from another record")
        names: list[str] = []
        defaults: dict[str, Any] = {}
        factories: list[tuple[str, Callable[[], Any]]] = []
        hidden: set[str] = set()
        ignored: set[str] = set()
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = cls.__dict__.get(name, _MISSING)
            factory = None
            if isinstance(value, _Field):
                if not value.repr:
                    hidden.add(name)
                if not value.compare:
                    ignored.add(name)
                factory = value.default_factory
                if factory is not None:
                    factories.append((name, factory))
                value = value.default
                if value is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value)
            if isinstance(value, (list, dict, set)):
                raise ValueError(f"mutable default {type(value)} for field {name} is not allowed: "
                                 "use default_factory")
            if value is not _MISSING:
                defaults[name] = value
            elif factory is None and (defaults or factories):
                raise TypeError(f"non-default argument {name!r} follows default argument")
            names.append(name)
        compared = [n for n in names if n not in ignored]
        cls._fields = tuple(names)
        cls._field_set = frozenset(names)
        cls._defaults = defaults
        cls._factories = tuple(factories)
        cls._repr_fields = tuple(n for n in names if n not in hidden)
        # (attrgetter of one name gives the bare value, not a 1-tuple: as good a key)
        cls._key = attrgetter(*compared) if compared else _no_fields
        cls._post_init = hasattr(cls, "__post_init__")
        if not frozen:   # mutable and compared by value: unhashable (unless the class says otherwise)
            for method, value in (("__setattr__", object.__setattr__), ("__delattr__", object.__delattr__),
                                  ("__hash__", None)):
                if method not in cls.__dict__:
                    setattr(cls, method, value)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if not kwargs and len(args) == len(cls._fields):   # every field, in order
            values = dict(zip(cls._fields, args))
        else:
            values = dict(cls._defaults)
            values.update(zip(cls._fields, args))
            values.update(kwargs)
            for name, make in cls._factories:
                if name not in values:
                    values[name] = make()
            if values.keys() != cls._field_set or len(args) > len(cls._fields) or (
                    args and kwargs and not kwargs.keys().isdisjoint(cls._fields[:len(args)])):
                raise TypeError(_bad_arguments(cls, args, kwargs))
        object.__setattr__(self, "__dict__", values)
        if cls._post_init:
            self.__post_init__()   # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._repr_fields)})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        key = type(self)._key
        return bool(key(self) == key(other))

    def __hash__(self) -> int:
        return hash(type(self)._key(self))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def replace(record: R, /, **changes: Any) -> R:
    """A new record like `record` with the fields in `changes` (as `dataclasses.replace`)."""
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    return type(record)(**values)


def _bad_arguments(cls: type[Record], args: tuple, kwargs: dict[str, Any]) -> str:
    """The message of the TypeError a generated `__init__` would raise for these arguments."""
    name, fields = f"{cls.__qualname__}.__init__()", cls._fields
    required = [n for n in fields if n not in cls._defaults and n not in dict(cls._factories)]
    if len(args) > len(fields):
        takes = f"from {len(required) + 1} to {len(fields) + 1}" if len(required) < len(fields) else len(fields) + 1
        return f"{name} takes {takes} positional arguments but {len(args) + 1} were given"
    for key in kwargs:
        if key not in cls._field_set:
            return f"{name} got an unexpected keyword argument {key!r}"
        if key in fields[:len(args)]:
            return f"{name} got multiple values for argument {key!r}"
    missing = [repr(n) for n in required if n not in fields[:len(args)] and n not in kwargs]
    listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])}{',' if len(missing) > 2 else ''} " \
        f"and {missing[-1]}"
    return f"{name} missing {len(missing)} required positional argument{'s' if len(missing) != 1 else ''}: {listed}"
