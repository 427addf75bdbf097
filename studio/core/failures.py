"""One user-facing line for a failure the engine raised: what happened and what to try.

Out-of-memory errors come from Python (MemoryError), torch (torch.cuda.OutOfMemoryError, also a
RuntimeError "CUDA out of memory", "MPS backend out of memory") or the C allocator
("DefaultCPUAllocator: not enough memory"); they are recognised without importing torch.
"""

from __future__ import annotations

from studio.core.errors import UserError

OOM_ADVICE = (
    "try a smaller size, fewer images per job or a lower precision (float16/bfloat16); "
    "for big pictures render smaller and upscale"
)
_OOM_WORDS = ("out of memory", "not enough memory", "cannot allocate memory")


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(words in text for words in _OOM_WORDS)


def _where(exc: BaseException) -> str:
    text = f"{type(exc).__module__} {type(exc).__name__} {exc}".lower()
    if "cuda" in text or "hip" in text:
        return "the GPU ran out of memory"
    if "mps" in text:
        return "the GPU (MPS) ran out of memory"
    return "the computer ran out of memory"


def first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else type(exc).__name__


def describe_failure(exc: BaseException, context: str) -> str:
    """`context: what happened; what to try` on one line (a UserError's own message as is)."""
    if isinstance(exc, UserError):
        return first_line(exc, 400)
    if is_out_of_memory(exc):
        return f"{context}: {_where(exc)}; {OOM_ADVICE}"
    advice = getattr(exc, "advice", "")
    detail = first_line(exc)
    return f"{context}: {detail}" + (f"; {advice}" if advice and advice not in detail else "")
