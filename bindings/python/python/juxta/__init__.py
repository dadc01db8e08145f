"""juxta: what each jurisdiction requires of, and invites from, an AI model, side by side.

The engine of the ``juxta`` command, in Python::

    import juxta

    engine = juxta.Engine()                                # the bundled regimes
    result = engine.compare("examples/closed-frontier.toml")
    table = engine.evaluate(inventory)                     # a pyarrow.Table, Polars or DuckDB result

``compare``, ``what_if`` and ``explain`` return the JSON result contract (``docs/contract.md``)
as Python objects: the same document ``juxta compare --format json`` writes. ``evaluate``
returns a ``pyarrow.Table`` in the schema of ``juxta batch``'s Parquet output; a row that
cannot be evaluated is an error row, never an exception that loses the batch.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import json as _json
import math as _math
import os as _os
import warnings as _warnings
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _juxta
from ._juxta import JuxtaError, PluginError, ProfileError

__all__ = [
    "Engine",
    "JuxtaError",
    "PluginError",
    "ProfileError",
    "IgnoredColumnsWarning",
    "__version__",
]

__version__: str = _juxta.__version__

Profile = Union[Mapping[str, Any], str, "_os.PathLike[str]"]


class IgnoredColumnsWarning(UserWarning):
    """Columns of the input that hold no fact and were not passed through: left out.

    Carry them into the output with ``passthrough=[...]``; refuse such input with
    ``strict_columns=True``.
    """


def _profile_text(profile: Profile) -> tuple[str, str, str]:
    """A profile as (text, format, label): a dict is JSON; a path is read (``.json`` is JSON,
    anything else TOML); a string is TOML or JSON text, or a path to a ``.toml``/``.json`` file."""
    if isinstance(profile, Mapping):
        return _json_text(profile), "json", "<dict>"
    if isinstance(profile, _os.PathLike) or (
        isinstance(profile, str)
        and "\n" not in profile
        and profile.lower().endswith((".toml", ".json"))
    ):
        path = _os.fspath(profile)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return text, "json" if path.lower().endswith(".json") else "toml", path
    if isinstance(profile, str):
        kind = "json" if profile.lstrip("\ufeff \t\r\n").startswith("{") else "toml"
        return profile, kind, "<string>"
    raise TypeError(
        f"a profile is a dict, TOML or JSON text, or a path; not {type(profile).__name__}"
    )


def _json_text(value: Any) -> str:
    """A dict of facts as JSON text, every number as written: a ``Decimal`` with all its digits
    (``json.dumps`` would need a float), days and instants as ISO 8601 text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, _decimal.Decimal)):
        return _number_text(value, "profile")
    if isinstance(value, str):
        return _json.dumps(value, ensure_ascii=False)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return _json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        members = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"a profile's keys are strings, not {type(k).__name__} ({k!r})")
            members.append(_json.dumps(k, ensure_ascii=False) + ":" + _json_text(v))
        return "{" + ",".join(members) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a profile value")


def _number_text(value: Union[int, float, _decimal.Decimal], what: str) -> str:
    """A number as written, in JSON and TOML alike: an ``int`` or a ``Decimal`` with all its
    digits, a float as its shortest text; JSON has no ``NaN`` or infinity, nor do facts."""
    if isinstance(value, int):
        return str(int(value))
    finite = value.is_finite() if isinstance(value, _decimal.Decimal) else _math.isfinite(value)
    if not finite:
        raise ValueError(f"{value!r} is not a {what} value: a fact is a finite number")
    return str(value) if isinstance(value, _decimal.Decimal) else float.__repr__(value)


def _fact_text(value: Any) -> str:
    """A Python value as the text of a ``--set path=value`` (TOML syntax)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, _decimal.Decimal)):
        return _number_text(value, "fact")
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        # A TOML basic string: JSON's escapes are TOML's, given the characters themselves
        # (TOML has no surrogate pairs) and DEL escaped (TOML forbids it bare).
        return _json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fact_text(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a fact value")


def _day(as_of: Union[None, str, _dt.date]) -> Optional[str]:
    if as_of is None or isinstance(as_of, str):
        return as_of
    if isinstance(as_of, _dt.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    raise TypeError("as_of is a date or a YYYY-MM-DD string")


def _arrow_stream(data: Any) -> Any:
    """Anything that holds Arrow data as something with ``__arrow_c_stream__``."""
    if hasattr(data, "__arrow_c_stream__"):
        return data
    import pyarrow as pa

    if hasattr(data, "__arrow_c_array__"):
        return pa.record_batch(data)
    if hasattr(data, "arrow") and callable(data.arrow):  # a DuckDB relation
        return data.arrow()
    if hasattr(data, "to_arrow") and callable(data.to_arrow):  # Polars, older versions
        return data.to_arrow()
    raise TypeError(
        f"evaluate takes Arrow data (pyarrow, Polars, DuckDB: anything with __arrow_c_stream__), not {type(data).__name__}"
    )


class Engine:
    """The regimes juxta evaluates with.

    ``Engine()`` holds the bundled regimes. ``Engine(plugins=[dir, ...], lock=path)`` adds
    third-party plugins, each pinned by its sha256 in the lock file exactly as the CLI pins
    them: a plugin that is not pinned, or differs from its pin, is a failed column and the
    other regimes still work. ``regimes=[id, ...]`` keeps only those named.
    """

    def __init__(
        self,
        plugins: Sequence[Union[str, "_os.PathLike[str]"]] = (),
        lock: Union[None, str, "_os.PathLike[str]"] = None,
        config: Union[None, str, "_os.PathLike[str]"] = None,
        regimes: Sequence[str] = (),
    ) -> None:
        self._engine = _juxta.Engine(
            [_os.fspath(p) for p in plugins],
            None if lock is None else _os.fspath(lock),
            None if config is None else _os.fspath(config),
            list(regimes),
        )

    @property
    def regimes(self) -> list[dict[str, Any]]:
        """The loaded regimes: ``id``, ``version``, ``origin``, ``sha256``, and ``error`` for a
        regime that failed to load."""
        return _json.loads(self._engine.regimes_json())

    def schema(self) -> dict[str, Any]:
        """The facts schema (the core facts and every loaded regime's namespace) as JSON Schema."""
        return _json.loads(self._engine.schema_json())

    def compare(
        self,
        profile: Profile,
        *,
        as_of: Union[None, str, _dt.date] = None,
        full: bool = False,
    ) -> dict[str, Any]:
        """Every loaded regime's findings for one profile, as the JSON result contract.

        ``profile`` is a dict, TOML or JSON text, or a path. ``as_of`` applies the law on
        another day; ``full`` adds what would change each rule (as ``--format json --full``).
        Raises :class:`ProfileError` for a profile that does not validate.
        """
        text, kind, label = _profile_text(profile)
        return _json.loads(self._engine.compare(text, kind, label, _day(as_of), full))

    def what_if(
        self,
        profile: Profile,
        changes: Optional[Mapping[str, Any]] = None,
        *,
        unset: Iterable[str] = (),
        as_of: Union[None, str, _dt.date] = None,
        **facts: Any,
    ) -> dict[str, Any]:
        """The comparison with some facts changed, and what changed (its ``what_if`` member).

        Facts are set by dotted path in ``changes`` (``{"model.training_compute_flop": 1e26}``)
        or as keywords with ``__`` for the dot (``model__training_compute_flop=1e26``);
        ``unset`` makes facts unknown. Values are checked as the same fields in a profile.
        """
        assignments = dict(changes or {})
        assignments.update({k.replace("__", "."): v for k, v in facts.items()})
        text, kind, label = _profile_text(profile)
        sets = [f"{path}={_fact_text(v)}" for path, v in assignments.items()]
        return _json.loads(
            self._engine.what_if(text, kind, label, sets, list(unset), _day(as_of))
        )

    def explain(
        self,
        profile: Profile,
        rule: str,
        *,
        as_of: Union[None, str, _dt.date] = None,
    ) -> dict[str, Any]:
        """One rule (or computed value, such as a deadline) for one profile, in full: its
        condition tree with the values read, and what would change it (``explain --format json``)."""
        text, kind, label = _profile_text(profile)
        return _json.loads(self._engine.explain(text, kind, label, rule, _day(as_of)))

    def evaluate(
        self,
        data: Any,
        *,
        layout: str = "wide",
        jobs: Optional[int] = None,
        as_of: Union[None, str, _dt.date] = None,
        id_field: str = "model.id",
        passthrough: Sequence[str] = (),
        strict_columns: bool = False,
        line_column: Optional[str] = None,
    ) -> "pyarrow.Table":  # noqa: F821
        """Evaluates every row of a table of profiles: one column per fact (``model.id`` or a
        struct column ``model``), as ``juxta batch`` reads Parquet.

        Returns a ``pyarrow.Table`` in the schema of ``juxta batch``'s Parquet output
        (``layout="wide"``: one row per profile; ``"long"``: one per profile, regime and rule),
        with the provenance in its schema metadata. A row that fails is an error row.
        ``passthrough`` carries input columns into the output unchanged; other columns that
        hold no fact are left out with an :class:`IgnoredColumnsWarning`, or refused with
        ``strict_columns=True``. ``line_column`` numbers the rows from an integer column
        (a partition of a larger table). Runs on ``jobs`` threads (default: all cores) with
        the GIL released.
        """
        table, counts = self._engine.evaluate(
            _arrow_stream(data),
            layout,
            jobs,
            _day(as_of),
            id_field,
            list(passthrough),
            strict_columns,
            line_column,
        )
        note = counts.pop("ignored_note", None)
        if note:
            _warnings.warn(
                "columns not in the facts schema, left out: "
                + note
                + " (carry them with passthrough=[...]; refuse with strict_columns=True)",
                IgnoredColumnsWarning,
                stacklevel=2,
            )
        return table

    def output_schema(self, layout: str = "wide") -> "pyarrow.Schema":  # noqa: F821
        """The schema :meth:`evaluate` returns for these regimes (without passthrough columns)."""
        return self._engine.output_schema(layout)
