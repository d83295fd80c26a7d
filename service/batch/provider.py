"""Provider batch mode: the article strategy through OpenAI's Batch API (half price, ≤24 h).

1. *build*: stream the pending articles; for each chunk, the same messages and request
   body as the live article strategy (:func:`claimstance.pipeline.article.chunk_messages` +
   :func:`claimstance.llm.batches.request_body`)
   become one line of a request file; files are split at ``max_requests`` lines or
   ``max_bytes`` (the API's limits are 50,000 requests and 200 MB);
2. *submit*: upload each file and create its batch; ids are saved in
   ``DIR/provider_batch/state.json`` (atomically) as soon as they are known. After a crash
   between creating a batch and saving its id, the batch is found again by its input
   file id, so a resumed run never pays twice;
3. *poll* until every batch is terminal, *download* the output and error files;
4. *ground*: stream the articles again and turn each article's answers into an
   ``Extraction`` through the same grounding and assembly as the live path
   (:func:`claimstance.pipeline.article.ground_draft`,
   :func:`claimstance.pipeline.assemble.build_extraction`).
   Records go to ``extractions.jsonl`` / ``errors.jsonl`` with the engine's exactly-once
   rules, so a crash while grounding is resumed like any batch run.

Without re-asks, a quote that cannot be located is dropped with a warning; an answer cut
off at the token limit, or with claims that break the schema, keeps its well-formed claims
with the live path's ``answer_incomplete`` warning; one with no claims list fails its
article (``--retry-failed`` re-runs it live).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from claimstance.batch.engine import finish_job, job_params, open_job
from claimstance.batch.manifest import (
    ERRORS,
    EXTRACTIONS,
    AppendLog,
    DirectoryLock,
    JobState,
)
from claimstance.batch.outcome import failure, input_failure
from claimstance.batch.progress import NullReporter, Reporter
from claimstance.batch.provider_io import (
    BatchState,
    Shard,
    custom_id,
    incomplete_warning,
    parse_answer,
    parse_custom_id,
    read_line,
)
from claimstance.batch.stats import BatchStats, BatchSummary, Price
from claimstance.errors import ClaimstanceError, ConfigError, InputError, ProviderError
from claimstance.llm.batches import BatchAPI, BatchInfo, request_body
from claimstance.pipeline.article import chunk_messages, ground_draft
from claimstance.pipeline.assemble import GroundedClaim, build_extraction
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.drafts import ArticleDraft
from claimstance.schemas.models import Article, Extraction, ExtractionWarning, Usage

STATE_DIR = "provider_batch"
STATE = "state.json"
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

Inputs = Callable[[], Iterable[Article | InputError]]


def article_requests(article: Article, extractor: Extractor, targets: Sequence[str]) -> list[str]:
    """The request-file lines for one article: one per chunk, as the live path sends."""
    ranges = extractor.context.chunk_ranges(article.text)
    lines = []
    for part, window in enumerate(ranges, start=1):
        messages = chunk_messages(article, targets, window, part, len(ranges))
        body = request_body(extractor.settings, ArticleDraft, messages)
        line = {
            "custom_id": custom_id(article.id, part, len(ranges)),
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": body,
        }
        lines.append(json.dumps(line, ensure_ascii=False))
    return lines


class ProviderBatch:
    """One provider-batch run over a job directory; see the module docstring."""

    def __init__(
        self,
        inputs: Inputs,
        out_dir: Path,
        extractor: Extractor,
        api: BatchAPI,
        *,
        targets: Sequence[str] = (),
        poll_interval: float = 30.0,
        max_requests: int = MAX_REQUESTS,
        max_bytes: int = MAX_BYTES,
        retry_failed: bool = False,
        progress: Reporter | None = None,
        price: Price | None = None,
        force: bool = False,
        say: Callable[[str], None] = lambda message: None,
    ) -> None:
        if extractor.strategy != "article" or extractor.settings.embedded:
            raise ConfigError("--provider-batch needs a remote endpoint and --strategy article")
        self.inputs, self.out_dir, self.extractor, self.api = inputs, out_dir, extractor, api
        self.targets = [t.strip() for t in targets if t.strip()]
        self.poll_interval, self.max_requests, self.max_bytes = (
            poll_interval,
            max_requests,
            max_bytes,
        )
        self.retry_failed, self.force, self.price, self.say = retry_failed, force, price, say
        self.reporter = progress or NullReporter()
        self.dir = out_dir / STATE_DIR
        self.stats = BatchStats()

    async def run(self) -> BatchSummary:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with DirectoryLock(self.out_dir):
            params = job_params(self.extractor, self.targets)
            state = open_job(self.out_dir, params, force=self.force)
            self.dir.mkdir(exist_ok=True)
            batch = BatchState.load(self.dir / STATE)
            if not batch.built:
                batch = self._build(state)
            await self._submit(batch)
            await self._wait(batch)
            await self._download(batch)
            self._ground(state, batch)
            summary = finish_job(
                self.out_dir,
                state,
                self.stats,
                stopped="complete",
                model=self.extractor.settings.resolved_model,
                targets=self.targets,
                price=self.price,
            )
            if all(s.downloaded for s in batch.shards):
                shutil.rmtree(self.dir)  # the job is collected; the next run starts afresh
        self.reporter.finish(summary)
        return summary

    def _pending(self, state: JobState, *, count: bool) -> Iterator[Article | InputError]:
        """Articles still to do (the engine's skip rules), and input errors."""
        seen: set[str] = set()
        for item in self.inputs():
            if isinstance(item, InputError):
                yield item
                continue
            if item.id in seen:
                self.stats.duplicates += count
                continue
            seen.add(item.id)
            if state.skips(item.id, self.retry_failed):
                self.stats.skipped += count
                continue
            yield item

    def _build(self, state: JobState) -> BatchState:
        shutil.rmtree(self.dir, ignore_errors=True)  # a build cut short starts over
        self.dir.mkdir()
        batch = BatchState(built=False, job=str(self.out_dir.resolve()))
        shard: Shard | None = None
        handle = None
        size = 0
        errors = AppendLog(self.out_dir / ERRORS)
        try:
            for item in self._pending(state, count=True):
                if isinstance(item, InputError):
                    errors.append([input_failure(item).line])
                    self.stats.failed += 1
                    continue
                lines = article_requests(item, self.extractor, self.targets)
                data = ("\n".join(lines) + "\n").encode("utf-8")
                full = shard is not None and (
                    shard.requests + len(lines) > self.max_requests
                    or size + len(data) > self.max_bytes
                )
                if shard is None or full:
                    if handle is not None:
                        handle.close()
                    shard = Shard(
                        index=len(batch.shards), file=f"requests-{len(batch.shards):04d}.jsonl"
                    )
                    batch.shards.append(shard)
                    handle = (self.dir / shard.file).open("wb")
                    size = 0
                assert handle is not None
                handle.write(data)
                shard.requests += len(lines)
                size += len(data)
        finally:
            if handle is not None:
                handle.close()
            errors.close()
        batch.built = True
        batch.save(self.dir / STATE)
        self.say(
            f"provider batch: {sum(s.requests for s in batch.shards)} requests "
            f"in {len(batch.shards)} file(s)"
        )
        return batch

    async def _submit(self, batch: BatchState) -> None:
        path = self.dir / STATE
        for shard in batch.shards:
            if shard.input_file_id is None:
                shard.input_file_id = await self.api.upload(self.dir / shard.file)
                batch.save(path)
            if shard.batch_id is None:
                found = await self.api.find(shard.input_file_id)
                info = found or await self.api.create(
                    shard.input_file_id,
                    {"claimstance_job": batch.job[-500:], "shard": str(shard.index)},
                )
                self._record(shard, info)
                batch.save(path)
                self.say(f"provider batch {info.id} ({'resumed' if found else 'created'})")

    @staticmethod
    def _record(shard: Shard, info: BatchInfo) -> None:
        shard.batch_id, shard.status = info.id, info.status
        shard.output_file_id, shard.error_file_id = info.output_file_id, info.error_file_id

    async def _wait(self, batch: BatchState) -> None:
        path = self.dir / STATE
        while True:
            for shard in batch.shards:
                if shard.status not in TERMINAL and shard.batch_id is not None:
                    info = await self.api.retrieve(shard.batch_id)
                    self._record(shard, info)
                    counts = info.request_counts
                    self.say(
                        f"provider batch {info.id}: {info.status} "
                        f"{counts.get('completed', 0)}/{counts.get('total', 0)}"
                    )
            batch.save(path)
            if all(s.status in TERMINAL for s in batch.shards):
                return
            await asyncio.sleep(self.poll_interval)

    async def _download(self, batch: BatchState) -> None:
        for shard in batch.shards:
            if shard.downloaded:
                continue
            for file_id, name in (
                (shard.output_file_id, "output"),
                (shard.error_file_id, "errors"),
            ):
                if file_id:
                    await self.api.download(file_id, self.dir / f"{name}-{shard.index:04d}.jsonl")
            shard.downloaded = True
            batch.save(self.dir / STATE)

    def _index(self, batch: BatchState) -> dict[str, list[tuple[Path, int]]]:
        """Article id -> where its answer lines are (file, byte offset): flat-ish memory."""
        index: dict[str, list[tuple[Path, int]]] = {}
        for shard in batch.shards:
            for name in ("output", "errors"):
                path = self.dir / f"{name}-{shard.index:04d}.jsonl"
                if not path.exists():
                    continue
                with path.open("rb") as f:
                    offset = 0
                    for line in f:
                        if line.strip():
                            record = json.loads(line)
                            article_id, _, _ = parse_custom_id(str(record.get("custom_id", "")))
                            index.setdefault(article_id, []).append((path, offset))
                        offset += len(line)
        return index

    def _ground(self, state: JobState, batch: BatchState) -> None:
        index = self._index(batch)
        extractions = AppendLog(self.out_dir / EXTRACTIONS)
        errors = AppendLog(self.out_dir / ERRORS)
        try:
            for item in self._pending(state, count=False):
                if isinstance(item, InputError):
                    continue  # recorded while building
                where = index.get(item.id)
                if where is None:
                    continue  # not part of this provider batch (e.g. added to the input later)
                try:
                    extraction = self.extraction(item, [read_line(p, o) for p, o in where])
                except ClaimstanceError as e:
                    outcome = failure(e, item)
                    errors.append([outcome.line])
                    self.stats.failed += 1
                    if outcome.usage is not None:
                        self.stats.add_usage(outcome.usage)
                    continue
                extractions.append([extraction.model_dump_json()])
                state.done.add(item.id)
                self.stats.done += 1
                self.stats.add_usage(extraction.usage)
                self.reporter.update(self.stats)
        finally:
            extractions.close()
            errors.close()

    def extraction(self, article: Article, answers: list[dict[str, Any]]) -> Extraction:
        """One article's Extraction from its batch answers (one per chunk)."""
        settings = self.extractor.settings
        text = article.text
        ranges = self.extractor.context.chunk_ranges(text)
        by_part = {parse_custom_id(a["custom_id"])[1]: a for a in answers}
        claims: list[GroundedClaim] = []
        warnings: list[ExtractionWarning] = []
        usage = Usage()
        for part, window in enumerate(ranges, start=1):
            answer = by_part.get(part)
            if answer is None:
                raise ProviderError(f"the batch returned no answer for part {part}", retryable=True)
            draft, part_usage, degraded = parse_answer(answer)
            part_result = ground_draft(draft, text, window, settings.fuzzy_threshold, part_usage)
            claims += part_result.claims
            warnings += part_result.warnings
            if degraded is not None:
                warnings.append(incomplete_warning(window, degraded, len(draft.claims)))
            usage = usage + part_usage
        return build_extraction(
            article,
            claims,
            targets=self.targets,
            model=settings.resolved_model,
            strategy="article",
            prompt_version=self.extractor.prompt_version(),
            usage=usage,
            warnings=warnings,
        )
