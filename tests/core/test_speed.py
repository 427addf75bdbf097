"""The measured speed behind the sweep's time estimate: per model, per image, by pixels."""

from __future__ import annotations

import pytest

from studio.core.params import GenerationParams
from studio.core.speed import SpeedMeter
from studio.core.sweep import parse_axis_spec, plan_sweep


def test_speed_is_per_model_scaled_to_512_and_the_latest_step_of_an_image_counts():
    meter = SpeedMeter()
    assert meter.seconds_per_step_512("tiny") is None
    meter.record(("job", 0), "tiny", 1, 9.0, 256, 256)  # a slow first step...
    meter.record(("job", 0), "tiny", 4, 3.0, 256, 256)  # ...then 0.75 s/step at a quarter
    assert meter.seconds_per_step_512("tiny") == pytest.approx(3.0)
    assert meter.steps_per_second_512("tiny") == pytest.approx(1 / 3)
    meter.record(("job", 1), "tiny", 2, 2.0, 512, 512)  # 1 s/step
    meter.record(("job", 2), "tiny", 2, 4.0, 512, 512)  # 2 s/step
    assert meter.seconds_per_step_512("tiny") == pytest.approx(2.0)  # the median of 3, 1, 2
    assert meter.seconds_per_step_512("mini") is None
    meter.record(("job", 3), "mini", 0, 0.0, 512, 512)  # no step done yet: nothing learnt
    assert meter.seconds_per_step_512("mini") is None


def test_only_the_most_recent_images_count():
    meter = SpeedMeter(keep=2)
    for n, seconds in enumerate((10.0, 1.0, 1.0)):
        meter.record(n, "tiny", 1, seconds, 512, 512)
    assert meter.seconds_per_step_512("tiny") == pytest.approx(1.0)


def test_estimate_uses_each_models_speed_and_is_unknown_while_one_is_missing():
    base = GenerationParams(prompt="a castle", model="tiny", steps=10, width=512, height=512)
    plan = plan_sweep(base, parse_axis_spec("model=tiny,mini"), parse_axis_spec("steps=10,20"))
    speeds = {"tiny": 1.0, "mini": 0.5}
    assert plan.estimate_by_model(speeds.get) == pytest.approx((10 + 20) * 1.0 + (10 + 20) * 0.5)
    assert plan.estimate_by_model({"tiny": 1.0}.get) is None
    assert plan.estimate_seconds(2.0) == pytest.approx(60 * 2.0)
