"""The stacks of a cloud assembly, from its ``manifest.json``: nested assemblies (what a CDK
``Stage`` synthesises to) are read too, in manifest order."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from sfini_runtime.cloud_assembly.errors import MalformedManifest, NotACloudAssembly, json_type
from sfini_runtime.cloud_assembly.template import Template, load_template

__all__ = ["Stack", "read_stacks"]

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ARTIFACT = "cdk:cloud-assembly"
_ENVIRONMENT = re.compile(r"aws://([^/]*)/(.*)")


@dataclasses.dataclass(frozen=True)
class Stack:
    """One stack of a cloud assembly."""

    #: the artifact's id in its manifest
    artifact_id: str
    #: the CloudFormation stack name (``properties.stackName``, else the artifact id)
    name: str
    template_path: Path
    #: the construct path (``Stage/Stack``), when the manifest gives one
    display_name: str | None = None
    #: ``aws://ACCOUNT/REGION`` (``unknown-account``/``unknown-region`` when agnostic), or ""
    environment: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """What selects this stack: its name, its artifact id and its construct path."""
        names = (self.name, self.artifact_id, self.display_name)
        return tuple(name for name in dict.fromkeys(names) if name)

    def matches(self, selector: str) -> bool:
        """Whether ``selector`` is one of :attr:`names`."""
        return selector in self.names

    @property
    def account(self) -> str | None:
        """The account the stack is for; None when environment-agnostic."""
        return self._environment()[0]

    @property
    def region(self) -> str | None:
        """The region the stack is for; None when environment-agnostic."""
        return self._environment()[1]

    def _environment(self) -> tuple[str | None, str | None]:
        match = _ENVIRONMENT.fullmatch(self.environment)
        parts = match.groups() if match else ("", "")
        known = [part if part and not part.startswith("unknown") else None for part in parts]
        return known[0], known[1]

    def template(self) -> Template:
        """The stack's template, read (raises ``MalformedTemplate``)."""
        return load_template(self.template_path)


def read_stacks(directory: str | Path, *, bare_templates: bool = False) -> list[Stack]:
    """The stacks of the cloud assembly in ``directory``, nested assemblies included.

    ``bare_templates``: a directory without ``manifest.json`` may instead hold
    ``*.template.json`` files, each a stack named after its file.

    Raises:
        NotACloudAssembly: no such directory, or no manifest (or templates) in it
        MalformedManifest: a manifest cannot be read or is malformed; the message names the
            file, and the artifact and field where there is one
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotACloudAssembly(f"no cloud assembly at {directory} (not a directory)")
    stacks: list[Stack] = []
    _read(directory, bare_templates, frozenset(), stacks)
    return stacks


def _read(directory: Path, bare: bool, parents: frozenset[Path], stacks: list[Stack]) -> None:
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        templates = sorted(directory.glob("*.template.json")) if bare else []
        if not templates:
            missing = "no manifest.json, no *.template.json" if bare else "no manifest.json"
            raise NotACloudAssembly(f"{directory} is not a cloud assembly ({missing})")
        for path in templates:
            name = path.name.split(".")[0]
            stacks.append(Stack(name, name, path))
        return
    here = directory.resolve()
    for artifact_id, artifact in _artifacts(manifest_path).items():
        kind = artifact.get("type")
        if kind not in (STACK_ARTIFACT, NESTED_ARTIFACT):
            continue
        properties = artifact.get("properties", {})
        if not isinstance(properties, dict):
            raise MalformedManifest(
                f"{manifest_path}: artifact {artifact_id!r} 'properties' is a JSON "
                f"{json_type(properties)}, not an object"
            )
        if kind == NESTED_ARTIFACT:
            nested = _path_in(directory, properties, "directoryName", manifest_path, artifact_id)
            if nested.resolve() in parents | {here}:
                raise MalformedManifest(
                    f"{manifest_path}: artifact {artifact_id!r} nests the assembly {nested} "
                    "inside itself"
                )
            _read(nested, bare, parents | {here}, stacks)
            continue
        template = _path_in(directory, properties, "templateFile", manifest_path, artifact_id)
        stack_name = properties.get("stackName")
        display_name = artifact.get("displayName")
        environment = artifact.get("environment")
        stacks.append(
            Stack(
                artifact_id=artifact_id,
                name=stack_name if isinstance(stack_name, str) and stack_name else artifact_id,
                template_path=template,
                display_name=display_name if isinstance(display_name, str) else None,
                environment=environment if isinstance(environment, str) else "",
            )
        )


def _artifacts(manifest_path: Path) -> dict[str, dict[str, Any]]:
    """The ``artifacts`` of a manifest, each checked to be an object."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MalformedManifest(f"cannot read {manifest_path}: {error.strerror or error}") from None
    except ValueError as error:  # UnicodeDecodeError is one
        raise MalformedManifest(
            f"cannot read the cloud assembly: {manifest_path} is not valid JSON: {error}"
        ) from None
    if not isinstance(manifest, dict):
        raise MalformedManifest(
            f"{manifest_path} is not a cloud assembly manifest "
            f"(a JSON {json_type(manifest)}, not an object)"
        )
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise MalformedManifest(
            f"{manifest_path}: 'artifacts' is a JSON {json_type(artifacts)}, not an object "
            "(it is not a cloud assembly manifest)"
        )
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            raise MalformedManifest(
                f"{manifest_path}: artifact {artifact_id!r} is a JSON {json_type(artifact)}, "
                "not an object"
            )
    return artifacts


def _path_in(
    directory: Path, properties: dict[str, Any], field: str, manifest_path: Path, artifact_id: str
) -> Path:
    """The file or directory ``properties[field]`` names, inside ``directory``."""
    name = properties.get(field)
    if not isinstance(name, str) or not name:
        raise MalformedManifest(
            f"{manifest_path}: artifact {artifact_id!r} names no template or directory "
            f"(got {name!r}) in properties.{field}"
        )
    return directory / name
