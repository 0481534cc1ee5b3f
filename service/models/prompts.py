"""Prompt templates (data in prompts/) and the clean-up of what instruction models say around an answer."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from service.models.backend import ModelUnavailable, Source
from service.text.langdetect import SUPPORTED_SOURCES

_ENVIRONMENT = jinja2.Environment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)
_VERSIONED = re.compile(r"^(?P<task>[a-z]+)\.v(?P<version>\d+)\.toml$")


def default_prompts_dir() -> Path:
    """prompts/ of the checkout this package runs from, else of the working directory (Docker)."""
    beside_package = Path(__file__).resolve().parents[2] / "prompts"
    return beside_package if beside_package.is_dir() else Path.cwd() / "prompts"


@dataclass(frozen=True)
class PromptTemplate:
    family: str
    task: str
    version: int
    system: str
    user: jinja2.Template
    strict_user: jinja2.Template

    @property
    def name(self) -> str:
        return f"{self.family}/{self.task}.v{self.version}"

    def messages(self, source: Source) -> list[dict[str, str]]:
        template = self.strict_user if source.strict else self.user
        user = template.render(
            source_language=SUPPORTED_SOURCES.get(source.source_lang, source.source_lang),
            text=source.text,
            glossary=list(source.glossary),
            leftover=list(source.leftover),
            context=source.context,
        )
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user.strip()}]


def load_prompt(prompts_dir: Path, family: str, task: str) -> PromptTemplate:
    """The highest version of `task` for `family`."""
    candidates = []
    for path in (prompts_dir / family).glob(f"{task}.v*.toml"):
        match = _VERSIONED.match(path.name)
        if match and match.group("task") == task:
            candidates.append((int(match.group("version")), path))
    if not candidates:
        raise ModelUnavailable(f"no prompt template for {family}/{task} in {prompts_dir}")
    version, path = max(candidates)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return PromptTemplate(
        family=family,
        task=task,
        version=version,
        system=data["system"].strip(),
        user=_ENVIRONMENT.from_string(data["user"]),
        strict_user=_ENVIRONMENT.from_string(data.get("strict_user", data["user"])),
    )


_PREAMBLE = re.compile(
    r"^\s*(?:sure[,!.]?\s*)?(?:here(?:'s| is) (?:the |an? )?(?:english )?translation[^:\n]*:|"
    r"(?:english )?translation\s*:|english\s*:)\s*",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(
    r"\n\s*(?:\(?note|\(?explanation|\(?translator's note)\b.*$", re.IGNORECASE | re.DOTALL
)
_QUOTES = {'"': '"', "“": "”", "'": "'", "「": "」"}


def strip_chatter(text: str) -> str:
    """The answer alone: no 'Here is the translation:', no code fences, no trailing notes or wrapping quotes."""
    text = text.strip()
    text = re.sub(r"^```[a-z]*\s*|\s*```$", "", text)
    text = _PREAMBLE.sub("", text, count=1)
    text = _TRAILING_NOTE.sub("", text)
    text = text.strip()
    if (
        len(text) >= 2
        and _QUOTES.get(text[0]) == text[-1]
        and text.count(text[0]) == (2 if text[0] == text[-1] else 1)
    ):
        text = text[1:-1].strip()
    return text
