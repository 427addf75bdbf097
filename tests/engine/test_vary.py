"""Vary (Subtle/Strong): children differ from the parent, Subtle stays closer than Strong, and
the family link survives export."""

from __future__ import annotations

import json

import numpy as np

from studio.core.export import ExportFolder
from studio.core.family import id_of, parent_of, with_id
from studio.core.params import GenerationParams
from studio.core.vary import IMG2IMG, VARIATION_SEED, plan_vary

BASE = GenerationParams(
    prompt="a castle on a cliff", model="tiny", steps=4, width=64, height=64, scheduler="Euler a"
)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


def children(engine, parent_params, parent_image, kind, mechanism):
    if mechanism == VARIATION_SEED:
        plan = plan_vary(parent_params, kind, 2, fresh_seed=500)
    else:  # an image of unknown origin: img2img from its pixels
        plan = plan_vary(None, kind, 2, fresh_seed=500, fallback=parent_params)
    assert plan.mechanism == mechanism
    image = parent_image if plan.needs_image else None
    return plan, [r.image for r in engine.generate(plan.params, image=image)]


def test_variation_seed_subtle_children_stay_closer_than_strong_ones(engine):
    subtle, strong = [], []
    for seed in (11, 12, 13):
        parent = BASE.replace(seed=seed)
        image = engine.generate(parent)[0].image
        parent = with_id(parent, image)
        for kind, bucket in (("subtle", subtle), ("strong", strong)):
            plan, kids = children(engine, parent, image, kind, VARIATION_SEED)
            assert plan.params.seed == seed and parent_of(plan.params) == id_of(parent)
            for kid in kids:
                assert not np.array_equal(kid, image)  # a child is a new image
                bucket.append(distance(kid, image))
    assert np.mean(subtle) < np.mean(strong)


def test_img2img_subtle_children_stay_closer_than_strong_ones(engine, monkeypatch):
    """tiny's VAE has random weights: decode(encode(x)) is already far from x, so img2img's
    pixel distance to the parent is flat in the strength (bench/vary_strengths.py). What both
    mechanisms share is the start: the parent's own latents. So this measures in latent space,
    from the parent's encoding to the latents each child decodes."""
    vae = engine.load("tiny").pipeline("img2img").vae
    encoded, decoded = [], []
    encode, decode = vae.encode, vae.decode

    def spy_encode(*args, **kwargs):
        out = encode(*args, **kwargs)
        encoded.append(out.latent_dist.mean.detach().float().clone())
        return out

    def spy_decode(latents, *args, **kwargs):
        decoded.append(latents.detach().float().clone())
        return decode(latents, *args, **kwargs)

    monkeypatch.setattr(vae, "encode", spy_encode)
    monkeypatch.setattr(vae, "decode", spy_decode)
    subtle, strong = [], []
    for seed in (11, 12, 13):
        parent = BASE.replace(seed=seed)
        image = engine.generate(parent)[0].image
        for kind, bucket in (("subtle", subtle), ("strong", strong)):
            encoded.clear()
            decoded.clear()
            _, kids = children(engine, parent, image, kind, IMG2IMG)
            assert all(not np.array_equal(kid, image) for kid in kids)
            assert len(encoded) == len(decoded) == 2
            for start, end in zip(encoded, decoded, strict=True):
                bucket.append(float((end - start).abs().mean()))
    assert np.mean(subtle) < np.mean(strong)


def test_variation_children_are_distinct_and_a_varied_parent_falls_back_to_img2img(engine):
    parent = BASE.replace(seed=21)
    plan = plan_vary(parent, "subtle", 3, fresh_seed=40)
    assert "variation seed" in plan.describe()
    kids = engine.generate(plan.params)
    assert [k.params.variation_seed for k in kids] == [40, 41, 42]
    assert not np.array_equal(kids[0].image, kids[1].image)
    again = plan_vary(kids[0].params, "strong", 2, fresh_seed=7)
    assert again.mechanism == IMG2IMG and again.params.strength == 0.85
    assert "img2img" in again.describe()


def test_family_link_survives_export(engine, tmp_path):
    parent = BASE.replace(seed=31)
    image = engine.generate(parent)[0].image
    parent = with_id(parent, image)
    plan = plan_vary(parent, "subtle", 2, fresh_seed=9)
    kids = [(r.image, with_id(r.params, r.image)) for r in engine.generate(plan.params)]
    folder = ExportFolder(tmp_path)
    parent_path = folder.add(image, parent, index=1)
    kid_paths = [folder.add(px, params, index=i + 2) for i, (px, params) in enumerate(kids)]
    folder.finish()
    index = json.loads((tmp_path / "index.json").read_text())
    for path in kid_paths:
        assert index[path.name]["parent_file"] == parent_path.name
        assert index[path.name]["extra"]["parent"] == id_of(parent)
    assert "parent_file" not in index[parent_path.name]
