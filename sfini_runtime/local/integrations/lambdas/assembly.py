"""The Lambda functions of a cloud assembly's templates, and how to run each locally.

An ``AWS::Lambda::Function`` with a Python runtime (``python3.*``) is served when its code is
here: an asset of the cloud assembly (a directory, or a ``.zip`` that is extracted, found
through the resource's ``aws:asset:path`` metadata or the asset hash in its ``S3Key``) or
inline ``ZipFile`` code (written to ``index.py``, as Lambda does). Anything else (another
runtime, a container image, code only in S3) is listed as not served, with the reason.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, FunctionConfig

FUNCTION_TYPE = "AWS::Lambda::Function"
_ASSET_KEY = re.compile(r"([0-9a-f]{64})\.zip$")


class FunctionCodeError(ValueError):
    """A function's code cannot be prepared (a broken zip, say)."""


@dataclass
class AssemblyFunction:
    """One function of a template: its configuration, where its code is (None: not served,
    ``reason`` says why) and its reserved concurrency."""

    config: FunctionConfig
    code_dir: Path | None = None
    reason: str | None = None
    reserved_concurrency: int | None = None
    inline_code: str | None = None
    zip_file: Path | None = None
    _temporary: list[Path] = field(default_factory=list)

    def prepare(self) -> Path:
        """The directory holding the code (inline code and zips are written out first)."""
        if self.code_dir is not None:
            return self.code_dir
        directory = Path(tempfile.mkdtemp(prefix=f"sfini-lambda-{self.config.name}-"))
        self._temporary.append(directory)
        if self.inline_code is not None:
            (directory / "index.py").write_text(self.inline_code, encoding="utf-8")
        elif self.zip_file is not None:
            try:
                with zipfile.ZipFile(self.zip_file) as archive:
                    archive.extractall(directory)
            except (OSError, zipfile.BadZipFile) as exc:
                raise FunctionCodeError(f"cannot extract {self.zip_file}: {exc}") from None
        self.code_dir = directory
        return directory

    def cleanup(self) -> None:
        """Remove what :meth:`prepare` wrote."""
        for directory in self._temporary:
            shutil.rmtree(directory, ignore_errors=True)
        self._temporary.clear()


def read_function(
    name: str,
    arn: str,
    resource: Mapping[str, Any],
    resolve: Callable[[Any], Any],
    assembly_dir: Path,
) -> AssemblyFunction:
    """The function ``resource`` (a template's ``AWS::Lambda::Function``) as it would run;
    ``resolve`` evaluates the template's intrinsic functions."""
    properties = resource.get("Properties") or {}
    metadata = resource.get("Metadata") or {}
    runtime = resolve(properties.get("Runtime"))
    handler = resolve(properties.get("Handler"))
    variables = (resolve(properties.get("Environment")) or {}).get("Variables") or {}
    config = FunctionConfig(
        name=name,
        arn=arn,
        timeout_seconds=float(resolve(properties.get("Timeout")) or DEFAULT_TIMEOUT_SECONDS),
        memory_mb=int(resolve(properties.get("MemorySize")) or DEFAULT_MEMORY_MB),
        environment={str(k): "" if v is None else str(v) for k, v in variables.items()},
        runtime=str(runtime) if runtime is not None else None,
        handler=str(handler) if handler is not None else None,
    )
    reserved = resolve(properties.get("ReservedConcurrentExecutions"))
    function = AssemblyFunction(config, reserved_concurrency=int(reserved) if reserved else None)
    if properties.get("PackageType") == "Image":
        function.reason = "a container image function (only Python zip functions are served)"
        return function
    if not isinstance(runtime, str) or not runtime.startswith("python3"):
        function.reason = f"runtime {runtime} is not Python (only python3.* functions are served)"
        return function
    if not config.handler:
        function.reason = "it has no Handler"
        return function
    code = properties.get("Code") or {}
    if isinstance(code, Mapping) and code.get("ZipFile") is not None:
        function.inline_code = str(resolve(code["ZipFile"]))
        return function
    asset = _asset_path(metadata, code, resolve, assembly_dir)
    if asset is None:
        function.reason = "its code is not in the cloud assembly (no asset directory or zip)"
    elif asset.is_dir():
        function.code_dir = asset
    else:
        function.zip_file = asset
    return function


def _asset_path(
    metadata: Mapping[str, Any], code: Any, resolve: Callable[[Any], Any], assembly_dir: Path
) -> Path | None:
    candidates: list[Path] = []
    if metadata.get("aws:asset:property", "Code") == "Code" and metadata.get("aws:asset:path"):
        candidates.append(assembly_dir / str(metadata["aws:asset:path"]))
    key = resolve(code.get("S3Key")) if isinstance(code, Mapping) else None
    match = _ASSET_KEY.search(key) if isinstance(key, str) else None
    if match:
        candidates += [assembly_dir / f"asset.{match[1]}", assembly_dir / f"asset.{match[1]}.zip"]
    for candidate in candidates:
        if candidate.is_dir() or (candidate.is_file() and zipfile.is_zipfile(candidate)):
            return candidate
    return None


__all__ = ["FUNCTION_TYPE", "AssemblyFunction", "FunctionCodeError", "read_function"]
