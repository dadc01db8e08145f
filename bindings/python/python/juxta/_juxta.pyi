"""Type stubs of the compiled module ``juxta._juxta`` (wrapped by ``juxta``)."""

from typing import Any, Optional

__version__: str

class JuxtaError(Exception):
    """Something juxta could not do: the message names the file, line, field, rule or regime."""

class ProfileError(JuxtaError):
    """A profile that does not validate."""

    origin: str
    problems: list[dict[str, Optional[str]]]

class PluginError(JuxtaError):
    """Plugins that cannot be loaded or pinned."""

class Engine:
    def __init__(
        self,
        plugins: list[str] = ...,
        lock: Optional[str] = ...,
        config: Optional[str] = ...,
        regimes: list[str] = ...,
    ) -> None: ...
    def regimes_json(self) -> str: ...
    def schema_json(self) -> str: ...
    def compare(
        self, text: str, format: str, label: str, as_of: Optional[str] = ..., full: bool = ...
    ) -> str: ...
    def what_if(
        self,
        text: str,
        format: str,
        label: str,
        set: list[str],
        unset: list[str],
        as_of: Optional[str] = ...,
    ) -> str: ...
    def explain(
        self, text: str, format: str, label: str, rule: str, as_of: Optional[str] = ...
    ) -> str: ...
    def evaluate(
        self,
        data: Any,
        layout: str = ...,
        jobs: Optional[int] = ...,
        as_of: Optional[str] = ...,
        id_field: str = ...,
        passthrough: list[str] = ...,
        strict_columns: bool = ...,
        line_column: Optional[str] = ...,
    ) -> tuple[Any, dict[str, Any]]: ...
    def output_schema(self, layout: str = ...) -> Any: ...
