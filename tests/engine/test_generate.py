"""The engine end to end on the built-in tiny models: every mode, seeds, previews, cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.core.errors import Cancelled, InputImageError, ModelError, ParamsError
from studio.core.params import SCHEDULERS, GenerationParams
from tests.helpers import box_mask, noise_image

BASE = GenerationParams(
    prompt="castle on a cliff", model="tiny", steps=3, width=64, height=64, seed=7
)


def test_txt2img_same_seed_same_pixels_other_seed_differs(engine):
    first = engine.generate(BASE)[0].image
    again = engine.generate(BASE)[0].image
    other = engine.generate(BASE.replace(seed=8))[0].image
    assert first.shape == (64, 64, 3) and first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_count_gives_consecutive_seeds_and_streams_results(engine):
    streamed = []
    results = engine.generate(BASE.replace(count=3), on_result=streamed.append)
    assert [r.params.seed for r in results] == [7, 8, 9]
    assert [r.params.count for r in results] == [1, 1, 1]
    assert streamed == results
    single = engine.generate(BASE.replace(seed=8))[0].image
    assert np.array_equal(results[1].image, single)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_every_scheduler_runs_reproducibly_with_one_preview_per_step(engine, scheduler):
    params = BASE.replace(scheduler=scheduler, steps=4)
    reports = []
    image = engine.generate(params, on_step=reports.append)[0].image
    expected = reports[-1].total
    assert [r.step for r in reports] == list(range(1, expected + 1))
    if scheduler != "Heun":  # a second-order solver makes 2 * steps - 1 model calls
        assert expected == 4
    assert all(r.preview is not None and r.preview.dtype == np.uint8 for r in reports)
    assert np.array_equal(image, engine.generate(params)[0].image)


def test_previews_do_not_change_the_result(engine):
    with_previews = engine.generate(BASE, on_step=lambda report: None)[0].image
    assert np.array_equal(with_previews, engine.generate(BASE)[0].image)


def test_previews_follow_the_prediction(engine):
    reports = []
    engine.generate(BASE.replace(steps=6, width=128, height=64), on_step=reports.append)
    assert reports[0].preview.shape == (8, 16, 3)
    assert not np.array_equal(reports[0].preview, reports[-1].preview)


def test_img2img_changes_the_image_and_is_reproducible(engine):
    source = noise_image(64, 64, seed=1)
    params = BASE.replace(mode="img2img", strength=0.5, steps=4)
    reports = []
    out = engine.generate(params, image=source, on_step=reports.append)[0].image
    assert out.shape == source.shape
    assert len(reports) == 2  # strength 0.5 of 4 steps
    assert np.array_equal(out, engine.generate(params, image=source)[0].image)
    weaker = engine.generate(params.replace(strength=0.25), image=source)[0].image
    assert np.abs(weaker.astype(int) - source).mean() < np.abs(out.astype(int) - source).mean()


@pytest.mark.parametrize("model", ["tiny", "tiny-inpaint"])
def test_inpaint_repaints_inside_the_mask_only(engine, model):
    source = noise_image(64, 64, seed=2)
    mask = box_mask(64, 64, (16, 16, 48, 48))
    params = BASE.replace(mode="inpaint", model=model, strength=1.0, mask_blur=0)
    out = engine.generate(params, image=source, mask=mask)[0].image
    assert out.shape == source.shape
    assert np.array_equal(out[mask == 0], source[mask == 0])
    assert (out[mask == 255] != source[mask == 255]).any(axis=-1).mean() > 0.5
    assert np.array_equal(out, engine.generate(params, image=source, mask=mask)[0].image)


def test_outpaint_extends_the_canvas(engine, monkeypatch):
    from studio.core.inpaint.outpaint import default_overlap
    from studio.core.inpaint.plan import plan_outpaint
    from tests.engine.spies import spy_engine

    spy = spy_engine(monkeypatch, engine)
    source = noise_image(64, 48, seed=3)
    params = BASE.replace(mode="outpaint", extend=(16, 0, 8, 8))
    out = engine.generate(params, image=source)[0].image
    assert out.shape == (48 + 8, 64 + 24, 3)
    plan = plan_outpaint(
        source, params.extend, native=(64, 64), seed=params.seed, padding=params.padding,
        overlap=default_overlap(params.mask_blur),
    )  # fmt: skip
    (render,) = spy.renders
    assert render["box"] == plan.box.as_tuple() and np.array_equal(render["mask"], plan.mask)
    # the new border is the render composited in; the original away from the band is untouched
    assert np.array_equal(out, plan.finish(render["output"]))
    keep = plan.composite == 0
    assert np.array_equal(out[keep], plan.original[keep])
    assert np.array_equal(out[:32, 16 + 16 : 64 + 16 - 16], source[:32, 16:-16])  # 16 px bands
    new = plan.composite == 255
    assert new[:, :16].all() and new[48:].all() and new[:, -8:].all()
    assert (out[new] != plan.original[new]).any(axis=-1).mean() > 0.9


def test_nine_channel_model_paints_txt2img(engine, monkeypatch):
    from tests.engine.spies import spy_engine

    spy = spy_engine(monkeypatch, engine, "tiny-inpaint")
    out = engine.generate(BASE.replace(model="tiny-inpaint"))[0].image
    assert out.shape == (64, 64, 3)
    # the whole frame is the hole, denoised from pure noise: every step runs, mask channel all 1
    assert len(spy.unet) == BASE.steps
    assert all(call.sample.shape[1] == 9 and (call.sample[:, 4] == 1).all() for call in spy.unet)
    (render,) = spy.renders
    assert np.array_equal(out, render["output"])
    assert not np.array_equal(
        out, engine.generate(BASE.replace(model="tiny-inpaint", seed=8))[0].image
    )


def test_cancel_at_step_k_stops_before_step_k_plus_2_and_returns_nothing(engine):
    cancel = threading.Event()
    reports, results = [], []

    def on_step(report):
        reports.append(report.step)
        if report.step == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        engine.generate(
            BASE.replace(steps=20, count=2),
            on_step=on_step,
            on_result=results.append,
            cancel=cancel,
        )
    assert max(reports) < 3 + 2
    assert results == []
    # The engine stays usable after a cancel.
    assert engine.generate(BASE)[0].image.shape == (64, 64, 3)


def test_cancel_skips_the_vae_decode(engine, monkeypatch):
    vae = engine.load("tiny").base.vae
    decodes = []
    original = vae.decode
    monkeypatch.setattr(vae, "decode", lambda *a, **k: decodes.append(1) or original(*a, **k))
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        engine.generate(BASE.replace(steps=5), on_step=lambda r: cancel.set(), cancel=cancel)
    assert decodes == []


def test_bad_inputs_raise_user_errors(engine):
    with pytest.raises(InputImageError, match="mask"):
        engine.generate(
            BASE.replace(mode="inpaint"),
            image=noise_image(64, 64),
            mask=np.zeros((32, 32), np.uint8),
        )
    with pytest.raises(InputImageError, match="input image"):
        engine.generate(BASE.replace(mode="img2img"))
    with pytest.raises(ParamsError, match="multiple of 8"):
        engine.generate(BASE.replace(width=60))
    with pytest.raises(ModelError, match="unknown model"):
        engine.generate(BASE.replace(model="no-such-model"))


def test_every_mode_shares_the_one_loaded_model(engine):
    model = engine.load("tiny")
    pipes = [model.pipeline(mode) for mode in ("txt2img", "img2img", "inpaint")]
    for name in ("unet", "vae", "text_encoder", "tokenizer"):
        assert len({id(getattr(pipe, name)) for pipe in pipes}) == 1, name
    assert engine.load("tiny") is model  # asking again loads nothing
