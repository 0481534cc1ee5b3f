"""Prompt templates (data in prompts/) and the clean-up of what instruction models say around an answer."""

from __future__ import annotations

import hashlib
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
# Instructions are cut into sentences to find the ones a model echoes; shorter ones could be real English.
_SENTENCE_BREAK = re.compile(r"(?<=[.:!?])\s+|\n+")
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+")
_HAN_CHARACTER = re.compile(r"[\u3400-\u9fff]")
MIN_ECHO = 16
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
    stop: tuple[str, ...] = ()  # the answer ends at the first of these (after any preamble is removed)
    text: str = ""  # the template file as read: a change to it changes what the model is shown
    # A question about the model's own earlier answer (`Source.follows`); without it such a source is
    # asked on its own, as `user` renders it.
    followup_user: jinja2.Template | None = None

    @property
    def name(self) -> str:
        return f"{self.family}/{self.task}.v{self.version}"

    def messages(self, source: Source) -> list[dict[str, str]]:
        """System, then any examples as earlier turns (a first attempt at a whole text only: a retry or a
        fragment is asked something else), then the request; a follow-up continues its conversation."""
        if source.follows is not None and self.followup_user is not None:
            return self._conversation(source, self.followup_user, *source.follows)
        turns: list[dict[str, str]] = []
        if source.examples and self.task == "translate" and not source.strict and not source.context:
            for text, english in source.examples:
                example = Source(text, source.source_lang, task=source.task)
                turns += [
                    {"role": "user", "content": self._user(example)},
                    {"role": "assistant", "content": english},
                ]
        return [
            {"role": "system", "content": self.system},
            *turns,
            {"role": "user", "content": self._user(source)},
        ]

    def _user(self, source: Source) -> str:
        template = self.strict_user if source.strict else self.user
        user = template.render(
            source_language=_language(source),
            text=source.text,
            glossary=list(source.glossary),
            document_glossary=list(source.document_glossary),
            leftover=list(source.leftover),
            context=source.context,
            rendered=source.rendered,
            title=source.title,
            previous=source.previous,
            previous_english=source.previous_english,
        )
        return user.strip()

    def _conversation(
        self, source: Source, question: jinja2.Template, earlier: Source, reply: str
    ) -> list[dict[str, str]]:
        """The earlier exchange as it happened, then the question: the sentence and its glossary are
        already in it, so the question lists only the entries of terms that overlap its own text (and,
        for a rewrite, what the earlier answer was refused for: `leftover`)."""
        overlapping = [
            (term, rendering)
            for term, rendering in source.glossary
            if term in source.text or source.text in term
        ]
        user = question.render(
            source_language=_language(source),
            text=source.text,
            glossary=overlapping,
            leftover=list(source.leftover),
        )
        return [
            *self.messages(earlier),
            {"role": "assistant", "content": reply},
            {"role": "user", "content": user.strip()},
        ]

    def without_echoes(self, text: str, source: Source) -> str:
        """`text` less any sentence of the instructions the model repeated ("Reply with the English
        translation only." after, or instead of, the answer); nothing, when the whole answer is one clause
        of them (asked for a fragment's English, "a few words", qwen-pypi once answered "a few words")."""
        user = self.messages(source)[-1]["content"].replace(source.text, "\n")
        for sentence in _SENTENCE_BREAK.split(user):
            sentence = sentence.strip()
            if len(sentence) >= MIN_ECHO and not _HAN_CHARACTER.search(sentence) and sentence in text:
                text = text.replace(sentence, " ")
        clauses = {clause.strip().casefold() for clause in _CLAUSE_BREAK.split(user)}
        if text.strip().strip("\"'“”").rstrip(".").strip().casefold() in clauses - {""}:
            return ""
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def cut_at_stop(self, text: str) -> str:
        """The text up to the first stop sequence that follows some content."""
        stripped = text.lstrip()
        ends = [index for stop in self.stop if (index := stripped.find(stop, 1)) > 0]
        return stripped[: min(ends)] if ends else stripped


class PromptSet:
    """The templates one prompted model serves, one per task, and the clean-up of what it answers."""

    def __init__(self, templates: PromptTemplate | dict[str, PromptTemplate]) -> None:
        self.templates = templates if isinstance(templates, dict) else {templates.task: templates}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(template.name for template in self.templates.values())

    @property
    def digest(self) -> str:
        """One sha256 of every template's text: what a remembered translation must have been made with."""
        texts = sorted(f"{template.name}\n{template.text}" for template in self.templates.values())
        return hashlib.sha256("\n\0".join(texts).encode()).hexdigest()

    def template_for(self, source: Source) -> PromptTemplate:
        if source.task not in self.templates:
            raise ValueError(f"this model has no prompt template for the task {source.task!r}")
        return self.templates[source.task]

    def messages(self, source: Source) -> list[dict[str, str]]:
        return self.template_for(source).messages(source)

    def answer(self, text: str, source: Source | None) -> str:
        """The answer alone: chatter stripped, cut at the template's stop sequences."""
        text = strip_chatter(text)
        if source is None:
            return text
        template = self.template_for(source)
        return template.without_echoes(template.cut_at_stop(text), source)


def _read_template(path: Path, family: str, task: str, version: int) -> PromptTemplate:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    declared = (data.get("family", family), data.get("task", task), data.get("version", version))
    if declared != (family, task, version):
        # The file name is what selects a template; a body that says otherwise is a copy-paste slip.
        raise ModelUnavailable(
            f"prompt template {path} declares {declared}, its name says {family, task, version}"
        )
    return PromptTemplate(
        family=family,
        task=task,
        version=version,
        system=data["system"].strip(),
        user=_ENVIRONMENT.from_string(data["user"]),
        strict_user=_ENVIRONMENT.from_string(data.get("strict_user", data["user"])),
        stop=tuple(data.get("stop", ())),
        text=path.read_text(encoding="utf-8"),
        followup_user=_ENVIRONMENT.from_string(data["followup_user"]) if "followup_user" in data else None,
    )


def _language(source: Source) -> str:
    return SUPPORTED_SOURCES.get(source.source_lang, source.source_lang)


def _versions(prompts_dir: Path, family: str) -> dict[str, dict[int, Path]]:
    """task → version → file, for one model family."""
    found: dict[str, dict[int, Path]] = {}
    for path in sorted((prompts_dir / family).glob("*.v*.toml")):
        match = _VERSIONED.match(path.name)
        if match:
            found.setdefault(match.group("task"), {})[int(match.group("version"))] = path
    return found


def load_template(prompts_dir: Path, name: str) -> PromptTemplate:
    """A template by name: `family/task` (its highest version) or `family/task.vN` (that version)."""
    family, _, rest = name.partition("/")
    task, _, version_text = rest.partition(".v")
    versions = _versions(prompts_dir, family).get(task, {})
    if not versions:
        raise ModelUnavailable(f"no prompt template for {family}/{task} in {prompts_dir}")
    version = int(version_text) if version_text.isdigit() else max(versions)
    if version not in versions:
        raise ModelUnavailable(f"no prompt template {name} in {prompts_dir}")
    return _read_template(versions[version], family, task, version)


def load_prompt(prompts_dir: Path, family: str, task: str) -> PromptTemplate:
    """The highest version of `task` for `family`."""
    return load_template(prompts_dir, f"{family}/{task}")


def load_family(prompts_dir: Path, family: str) -> dict[str, PromptTemplate]:
    """The highest version of every task `family` has a template for."""
    return {task: load_template(prompts_dir, f"{family}/{task}") for task in _versions(prompts_dir, family)}


def all_templates(prompts_dir: Path) -> list[PromptTemplate]:
    """Every version of every template, for tests and listings."""
    return [
        _read_template(path, family.name, task, version)
        for family in sorted(p for p in prompts_dir.iterdir() if p.is_dir())
        for task, versions in _versions(prompts_dir, family.name).items()
        for version, path in sorted(versions.items())
    ]


_PREAMBLE = re.compile(
    r"^\s*(?:sure[,!.]?\s*)?(?:here(?:'s| is) (?:the |an? )?(?:english )?"
    r"(?:translation|bullet(?: point)?|summary)[^:\n]*:|"
    r"(?:english )?translation\s*:|english\s*:|bullet(?: point)?\s*:|summary\s*:|"
    # 'The Chinese text "…" translates to:' with the source quoted back
    r"(?:the |this )?(?:chinese )?(?:text|sentence)\s*(?:\"[^\"\n]*\"|“[^”\n]*”)?\s*"
    r"(?:translates|can be translated|is translated)\s+(?:in)?to(?: english)?(?: as)?\s*:)\s*",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(
    r"\n\s*(?:\(?note|\(?explanation|\(?translator's note)\b.*$", re.IGNORECASE | re.DOTALL
)
# A remark about the text instead of its translation ("The Chinese text is already in English."): no answer,
# so that the output checks send it again with the stricter prompt.
_REMARK = re.compile(
    r"^(?:the |this )?(?:given |provided |above |following )?(?:chinese )?(?:text|sentence) "
    r"(?:is|appears to be|seems to be) already (?:in |written in )?english\b[^\n]*$",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "'": "'", "「": "」"}


def strip_chatter(text: str) -> str:
    """The answer alone: no 'Here is the translation:', no code fences, no trailing notes or wrapping quotes."""
    text = text.strip()
    text = re.sub(r"^```[a-z]*\s*|\s*```$", "", text)
    text = _PREAMBLE.sub("", text, count=1)
    text = _TRAILING_NOTE.sub("", text)
    text = _REMARK.sub("", text.strip())
    text = text.strip()
    if (
        len(text) >= 2
        and _QUOTES.get(text[0]) == text[-1]
        and text.count(text[0]) == (2 if text[0] == text[-1] else 1)
    ):
        text = text[1:-1].strip()
    return text
