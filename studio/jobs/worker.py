"""The worker QObject that lives in its own QThread, owns the Engine and runs one job at a time.

The engine (torch, diffusers) is imported lazily inside the worker's thread the first time it
is needed, so the window appears before those heavy imports run. Everything the worker emits
is plain data: ints, floats, strings, numpy arrays and frozen dataclasses.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from studio.core.errors import Cancelled, UserError
from studio.core.failures import describe_failure
from studio.jobs.pyside_import_hook import cheap_pyside_import_hook
from studio.jobs.queue import Job
from studio.jobs.sweep_job import SWEEP, run_sweep_job
from studio.jobs.upscale_job import UPSCALE, needs_model, run_upscale, upscaler_names

log = logging.getLogger(__name__)


class EngineLike(Protocol):
    """The slice of studio.engine.api.Engine the worker uses."""

    def load(self, model: str = ..., device: str = ..., dtype: str = ...) -> Any: ...

    def generate(self, params: Any, image: Any = ..., mask: Any = ..., **callbacks: Any) -> Any: ...

    def warm_up(self) -> None: ...

    def list_models(self) -> list[Any]: ...


EngineFactory = Callable[[], EngineLike]


def default_engine_factory() -> EngineLike:
    """Build the real engine. Runs in the worker thread: this is where torch gets imported,
    in a way that keeps the window beside it responsive (studio.engine.smooth_start)."""
    from studio.engine.smooth_start import import_engine_quietly

    with cheap_pyside_import_hook():
        return import_engine_quietly()()


class Worker(QObject):
    """Runs jobs on the engine. Slots are invoked through queued connections from the GUI."""

    state_changed = Signal(str)  # engine state text: "loading model…", "ready", ...
    job_started = Signal(int, object)  # job id, GenerationParams
    step = Signal(int, object)  # job id, StepReport (plain data; preview is a numpy array)
    result = Signal(int, object, object)  # job id, image (numpy uint8), GenerationParams used
    job_finished = Signal(int, str)  # job id, "done" | "cancelled" | "failed"
    error = Signal(int, str)  # job id (0 for model loading), message for the user
    models_listed = Signal(object)  # list[str]
    tile = Signal(int, object)  # job id, UpscaleProgress (upscale jobs)
    upscaled = Signal(int, object)  # job id, upscaled image (numpy uint8)
    native_size = Signal(str, int)  # model name, its native side in pixels (after loading)
    upscalers_listed = Signal(object)  # list[str], "lanczos" first
    precision = Signal(str, str)  # dtype name, why it was chosen (after loading)

    def __init__(self, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self._factory = engine_factory or default_engine_factory
        self._engine: EngineLike | None = None
        self._loaded: str | None = None
        self._backend: str | None = None  # chosen in the app; else the engine's settings

    def _ensure_engine(self) -> EngineLike:
        if self._engine is None:
            if os.environ.get("STUDIO_WORKER_NICE"):
                lower_thread_priority(int(os.environ["STUDIO_WORKER_NICE"]))
            self.state_changed.emit("starting engine…")
            self._engine = self._factory()
            if hasattr(self._engine, "on_status"):  # an OpenVINO export's stages
                self._engine.on_status = self.state_changed.emit
            if self._backend is not None and hasattr(self._engine, "backend"):
                self._engine.backend = self._backend
        return self._engine

    @Slot(str)
    def set_backend(self, backend: str) -> None:
        """Run the next jobs on this backend (auto | torch | openvino)."""
        self._backend = backend
        if self._engine is not None and hasattr(self._engine, "backend"):
            self._engine.backend = backend

    @Slot(str)
    def preload(self, model: str) -> None:
        """Load `model` ahead of the first job (while the user paints)."""
        try:
            engine = self._ensure_engine()
            self._list_models(engine)
            self._list_upscalers(engine)
            if model and model != self._loaded:
                self.state_changed.emit(f"loading model {model}…")
                self._load(engine, model)
                self._warm_up(engine)
            self.state_changed.emit("ready")
        except Exception as exc:  # the app must stay usable whatever the engine raises
            self.error.emit(0, _message(exc, "could not load the model"))
            self.state_changed.emit("model failed to load")

    @staticmethod
    def _warm_up(engine: EngineLike) -> None:
        """Build each mode's pipeline now (the first build imports hundreds of diffusers modules,
        which would otherwise stall the GUI for a moment when the first job starts)."""
        try:
            engine.warm_up()
        except Exception:
            log.warning("warming up the pipelines failed", exc_info=True)

    def _list_models(self, engine: EngineLike) -> None:
        try:
            names = [ref.name for ref in engine.list_models()]
        except Exception:
            log.exception("listing models failed")
            return
        self.models_listed.emit(names)

    def _list_upscalers(self, engine: EngineLike) -> None:
        try:
            names = upscaler_names(engine)
        except Exception:
            log.exception("listing upscalers failed")
            return
        self.upscalers_listed.emit(names)

    def _load(self, engine: EngineLike, model: str) -> None:
        """Load `model` and report its native size (plain data) when the engine tells it."""
        loaded = engine.load(model=model)
        self._loaded = model
        native = getattr(loaded, "native_size", None)
        if isinstance(native, int) and native > 0:
            self.native_size.emit(model, native)
        dtype = getattr(loaded, "dtype", None)
        if dtype is not None:
            self.precision.emit(
                str(dtype).removeprefix("torch."), getattr(loaded, "dtype_reason", "")
            )

    @Slot(object)
    def run_job(self, job: Job) -> None:
        """Run one job to the end (or until cancelled); always emits job_finished."""
        outcome = "failed"
        try:
            if job.cancel.is_set():
                raise Cancelled()
            engine = self._ensure_engine()
            if needs_model(job) and job.params.model != self._loaded:
                self.state_changed.emit(f"loading model {job.params.model}…")
                self._load(engine, job.params.model)
            self.job_started.emit(job.id, job.params)
            started = time.perf_counter()
            if job.kind == UPSCALE:
                image = run_upscale(engine, job, lambda report: self.tile.emit(job.id, report))
                self.upscaled.emit(job.id, image)
            elif job.kind == SWEEP:
                run_sweep_job(engine, job, lambda r: self.step.emit(job.id, r), self._emit(job))
            else:
                self._generate(engine, job)
            outcome = "done"
            log.info("job %d done in %.2fs", job.id, time.perf_counter() - started)
        except Cancelled:
            outcome = "cancelled"
        except Exception as exc:
            if not isinstance(exc, UserError):
                log.error("job %d failed:\n%s", job.id, traceback.format_exc())
            context = "upscaling failed" if job.kind == UPSCALE else "generation failed"
            self.error.emit(job.id, _message(exc, context))
        finally:
            if outcome == "failed":
                self._release_memory()
            self.job_finished.emit(job.id, outcome)

    def _release_memory(self) -> None:
        """After a failure (out of memory above all) give back what the failed job held,
        so the next job starts from a clean slate."""
        release = getattr(self._engine, "release_memory", None)
        if release is None:
            return
        try:
            release()
        except Exception:
            log.warning("releasing memory after a failed job failed", exc_info=True)

    def _emit(self, job: Job) -> Callable[[Any, Any], None]:
        return lambda image, params: self.result.emit(job.id, image, params)

    def _generate(self, engine: EngineLike, job: Job) -> None:
        engine.generate(
            job.params,
            image=job.image,
            mask=job.mask,
            on_step=lambda report: self.step.emit(job.id, report),
            on_result=lambda res: self.result.emit(job.id, res.image, res.params),
            cancel=job.cancel,
        )


def lower_thread_priority(niceness: int = 10) -> None:
    """Make the calling (worker) thread yield the CPU to the GUI thread.

    On Linux niceness is per thread and inherited by threads created afterwards, so torch's
    compute threads, started from here, run behind the GUI too. Elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), niceness))
    except (AttributeError, OSError):
        log.debug("could not lower the worker thread's priority", exc_info=True)


def _message(exc: BaseException, context: str) -> str:
    return describe_failure(exc, context)
