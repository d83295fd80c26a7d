"""Prompt templates: versioned YAML data under ``prompts/``, rendered with Jinja2.

Every template carries a ``version``; ``name@version`` goes into the cache key and into
each Extraction, so editing a prompt without bumping its version is caught by the
cassette regression tests, and bumping it invalidates cached answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
import yaml

from claimstance.errors import ConfigError

_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> jinja2.Template:
    """Compiling a template costs milliseconds; batch jobs render it per request."""
    return _ENV.from_string(source)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str
    #: Worked examples (the user template's variables and the answer), sent as earlier
    #: turns of the conversation: small models follow a shown format far better.
    examples: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """System, example turns and user message; a missing variable is an error, never
        an empty string."""
        try:
            system = _compiled(self.system).render(**variables)
            shots: list[dict[str, str]] = []
            for example, answer in self.examples:
                shown = _compiled(self.user).render(**dict(example))
                shots += [
                    {"role": "user", "content": shown.strip()},
                    {"role": "assistant", "content": answer},
                ]
            user = _compiled(self.user).render(**variables)
        except jinja2.UndefinedError as e:
            raise ConfigError(f"prompt {self.ref}: {e}") from e
        return [
            {"role": "system", "content": system.strip()},
            *shots,
            {"role": "user", "content": user.strip()},
        ]

    def render_text(self, **variables: Any) -> str:
        """The examples and the question as one plain text for a completion endpoint:
        each example's question, a space, its answer and a blank line; then the question."""
        try:
            shown = [
                _compiled(self.user).render(**dict(example)).strip() + f" {answer}\n\n"
                for example, answer in self.examples
            ]
            return "".join(shown) + _compiled(self.user).render(**variables).strip()
        except jinja2.UndefinedError as e:
            raise ConfigError(f"prompt {self.ref}: {e}") from e


@functools.cache
def load_prompt(name: str) -> Prompt:
    """Load ``prompts/<name>.yaml`` from the installed package data."""
    try:
        raw = (
            resources.files("claimstance.prompt_templates")
            .joinpath(f"{name}.yaml")
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError as e:
        raise ConfigError(f"no prompt template named {name!r}") from e
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ConfigError(f"prompt {name!r} is not a mapping")
    missing = {"name", "version", "system", "user"} - data.keys()
    if missing:
        raise ConfigError(f"prompt {name!r} lacks {sorted(missing)}")
    if data["name"] != name:
        raise ConfigError(f"prompt file {name}.yaml declares name {data['name']!r}")
    examples = []
    for example in data.get("examples") or []:
        if not isinstance(example, dict) or "answer" not in example:
            raise ConfigError(f"prompt {name!r}: each example needs an answer")
        shown = tuple((str(k), str(v)) for k, v in example.items() if k != "answer")
        examples.append((shown, str(example["answer"])))
    return Prompt(
        name=name,
        version=str(data["version"]),
        system=data["system"],
        user=data["user"],
        examples=tuple(examples),
    )
