"""Cancel inside an OpenVINO call: each model part runs as an async request we can abandon.

optimum-intel calls `part.request(inputs, share_inputs=True)` (a CompiledModel, synchronous).
We put a CancellableRequest in its place: it starts an InferRequest asynchronously, waits in
short slices, and on cancel calls InferRequest.cancel() and raises Cancelled, so Esc does not
wait for the end of a UNet call (seconds at real size).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np

from studio.engine.types import check_cancel

WAIT_MS = 20
PARTS = ("unet", "vae_decoder", "vae_encoder", "text_encoder")


class CancellableRequest:
    """Callable like a CompiledModel: (inputs, share_inputs=...) -> the request's results."""

    def __init__(self, compiled: Any, cancel: threading.Event | None = None) -> None:
        self.compiled = compiled
        self.cancel = cancel
        self._request = compiled.create_infer_request()

    def __call__(self, inputs: Any, share_inputs: bool = True, **_: Any) -> Any:
        check_cancel(self.cancel)
        request = self._request
        request.start_async(inputs, share_inputs=share_inputs)
        while not request.wait_for(WAIT_MS):
            if self.cancel is not None and self.cancel.is_set():
                request.cancel()
                with contextlib.suppress(RuntimeError):  # "Infer Request was canceled"
                    request.wait()
                check_cancel(self.cancel)
        # Copies, as CompiledModel.__call__ makes: the next call reuses the output buffers.
        from openvino.utils.data_helpers import OVDict

        return OVDict({port: np.copy(value) for port, value in request.results.items()})

    def __getattr__(self, name: str) -> Any:  # inputs, outputs, ... of the compiled model
        return getattr(self.compiled, name)


def make_cancellable(pipe: Any, cancel: threading.Event | None) -> None:
    """Compile every part of pipe (if needed) and route its calls through cancel."""
    for name in PARTS:
        part = getattr(pipe, name, None)
        if part is None:
            continue
        part.compile()
        current = part.request
        if isinstance(current, CancellableRequest):
            current.cancel = cancel
        else:
            part.request = CancellableRequest(current, cancel)


def bind_cancel(pipe: Any, cancel: threading.Event | None) -> None:
    """Point the parts already made cancellable at this job's cancel event (a previous job's
    event may be set), without compiling anything."""
    for name in PARTS:
        request = getattr(getattr(pipe, name, None), "request", None)
        if isinstance(request, CancellableRequest):
            request.cancel = cancel
