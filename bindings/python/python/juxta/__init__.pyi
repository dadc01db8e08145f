"""Type stubs of ``juxta``."""

import datetime
import os
import warnings
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pyarrow

from ._juxta import JuxtaError as JuxtaError
from ._juxta import PluginError as PluginError
from ._juxta import ProfileError as ProfileError

__version__: str

Profile = Union[Mapping[str, Any], str, os.PathLike[str]]
Day = Union[None, str, datetime.date]

class IgnoredColumnsWarning(UserWarning): ...

class Engine:
    def __init__(
        self,
        plugins: Sequence[Union[str, os.PathLike[str]]] = ...,
        lock: Union[None, str, os.PathLike[str]] = ...,
        config: Union[None, str, os.PathLike[str]] = ...,
        regimes: Sequence[str] = ...,
    ) -> None: ...
    @property
    def regimes(self) -> list[dict[str, Any]]: ...
    def schema(self) -> dict[str, Any]: ...
    def compare(self, profile: Profile, *, as_of: Day = ..., full: bool = ...) -> dict[str, Any]: ...
    def what_if(
        self,
        profile: Profile,
        changes: Optional[Mapping[str, Any]] = ...,
        *,
        unset: Iterable[str] = ...,
        as_of: Day = ...,
        **facts: Any,
    ) -> dict[str, Any]: ...
    def explain(self, profile: Profile, rule: str, *, as_of: Day = ...) -> dict[str, Any]: ...
    def evaluate(
        self,
        data: Any,
        *,
        layout: str = ...,
        jobs: Optional[int] = ...,
        as_of: Day = ...,
        id_field: str = ...,
        passthrough: Sequence[str] = ...,
        strict_columns: bool = ...,
        line_column: Optional[str] = ...,
    ) -> pyarrow.Table: ...
    def output_schema(self, layout: str = ...) -> pyarrow.Schema: ...
