"""What ``--record`` and ``--replay`` add to a command: the manifest, and the replay's verdict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.markup import escape

from claimstance.cli.options import err
from claimstance.pipeline.extractor import Extractor
from claimstance.pipeline.tape import (
    describe_run,
    manifest_differences,
    outputs_checksum,
    read_manifest,
    write_manifest,
)


def before_run(extractor: Extractor, targets: Sequence[str]) -> None:
    """A replay names up front what it does differently from the recorded run."""
    directory = extractor.settings.replay_dir
    if directory is None:
        return
    recorded = read_manifest(directory)
    for note in manifest_differences(recorded, describe_run(extractor, targets)):
        err.print(f"[yellow]replay differs from the recording[/yellow]: {escape(note)}")


def after_run(extractor: Extractor, targets: Sequence[str], lines: Iterable[str]) -> None:
    """Record: write the manifest. Replay: say whether the outputs are the recorded ones."""
    settings = extractor.settings
    collected = list(lines)
    checksum = outputs_checksum(collected)
    recorder = extractor.context.recorder
    if settings.record_dir is not None and recorder is not None:
        path = write_manifest(
            settings.record_dir,
            describe_run(extractor, targets),
            requests=recorder.count,
            checksum=checksum,
            articles=len(collected),
        )
        err.print(f"recorded {recorder.count} LLM exchanges; manifest: {escape(str(path))}")
    if settings.replay_dir is not None:
        expected = read_manifest(settings.replay_dir).get("outputs_sha256")
        if expected is None:
            err.print("replayed; the recording has no manifest to compare the outputs with")
        elif expected == checksum:
            err.print(f"[green]replay reproduced the recorded outputs[/green] ({checksum[:16]}…)")
        else:
            err.print(
                "[yellow]the replayed outputs differ from the recorded run[/yellow]: "
                "compare them with `claimstance diff`"
            )
