"""``python -m convx filter``: named and file kernels, grayscale and colour, errors.

Skips without Pillow (the optional extra ``pyconvx[image]``), except the test that the command
explains how to get it.
"""
import subprocess
import sys

import numpy as np
import pytest

import convx.filters as F
import convx.kernels as K
from convx import _filter_cli
from convx.__main__ import main
from _helpers import subprocess_env

Image = pytest.importorskip("PIL.Image", reason="Pillow not installed (pyconvx[image])")


@pytest.fixture
def images(tmp_path):
    rng = np.random.default_rng(30)
    gray = (rng.random((20, 24)) * 255).astype(np.uint8)
    rgb = (rng.random((18, 22, 3)) * 255).astype(np.uint8)
    pg, pc = tmp_path / "g.png", tmp_path / "c.png"
    Image.fromarray(gray).save(pg)
    Image.fromarray(rgb).save(pc)
    return tmp_path, gray, rgb


def _read(path):
    return np.asarray(Image.open(path))


def test_named_kernel_grayscale_abs_scale(images, capsys):
    d, gray, _ = images
    out = d / "o.png"
    assert main(["filter", str(d / "g.png"), "-k", "sobel_x", "-o", str(out)]) == 0
    assert "sobel_x" in capsys.readouterr().out
    got = _read(out)
    assert got.shape == gray.shape and got.dtype == np.uint8
    r = np.abs(F.correlate(gray.astype(np.float32), K.sobel_x()).astype(np.float64))
    np.testing.assert_allclose(got, np.rint(r * 255 / r.max()), atol=1)
    assert got.max() == 255


def test_colour_per_channel_and_clip_scale(images):
    d, _, rgb = images
    out = d / "o.png"
    assert main(["filter", str(d / "c.png"), "-k", "gaussian:5,1.0", "-o", str(out)]) == 0
    got = _read(out)
    assert got.shape == rgb.shape
    exp = F.correlate(rgb.astype(np.float32), K.gaussian(5, 1.0), axes=(0, 1))
    np.testing.assert_allclose(got, np.clip(np.rint(exp), 0, 255), atol=1)


def test_gray_flag_and_other_scales(images):
    d, _, _ = images
    for scale in ("signed", "minmax", "clip", "abs"):
        out = d / f"o-{scale}.png"
        assert main(["filter", str(d / "c.png"), "-k", "laplacian", "-o", str(out), "--gray",
                     "--scale", scale, "--mode", "wrap"]) == 0
        assert _read(out).ndim == 2


def test_kernel_files(images):
    d, gray, _ = images
    k = np.array([[0.0, 1.0], [2.0, -3.0]])
    np.save(d / "k.npy", k)
    np.savetxt(d / "k.txt", k)
    for f in ("k.npy", "k.txt"):
        out = d / f"o-{f}.png"
        assert main(["filter", str(d / "g.png"), "-k", str(d / f), "-o", str(out)]) == 0
        r = np.abs(F.correlate(gray.astype(np.float32), k).astype(np.float64))
        np.testing.assert_allclose(_read(out), np.rint(r * 255 / r.max()), atol=1)
    assert np.array_equal(_filter_cli.load_kernel(str(d / "k.txt")), k)


@pytest.mark.parametrize("argv,match", [
    (["-k", "nope"], "unknown kernel"),
    (["-k", "missing.npy"], "does not exist"),
    (["-k", "box:x"], "bad kernel parameter"),
    (["-k", "box:0"], "bad parameters"),
])
def test_errors(images, argv, match):
    d, _, _ = images
    with pytest.raises(SystemExit, match=match):
        main(["filter", str(d / "g.png"), "-o", str(d / "o.png")] + argv)


def test_unreadable_image(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(SystemExit, match="cannot read image"):
        main(["filter", str(bad), "-k", "identity", "-o", str(tmp_path / "o.png")])


def test_missing_pillow_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(SystemExit, match=r"convx\[image\]"):
        _filter_cli._pil()


def test_command_line_subprocess(images):
    d, _, _ = images
    r = subprocess.run([sys.executable, "-m", "convx", "filter", str(d / "c.png"), "-k",
                        "emboss", "-o", str(d / "e.png")], capture_output=True, text=True,
                       env=subprocess_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    assert _read(d / "e.png").shape == (18, 22, 3)
