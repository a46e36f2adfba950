"""The committed kernel instances and lists are exactly what `python csrc/kernels/generate.py`
writes today: regenerate into a temporary folder, compare, and fail on a stale generated file
(one carrying the generator's marker that the generator no longer produces, which setup.py's
globs would still compile)."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = os.path.join(ROOT, "csrc", "kernels")
GENERATOR = os.path.join(KERNELS, "generate.py")

pytestmark = pytest.mark.skipif(not os.path.exists(GENERATOR),
                                reason="csrc/ not available (installed package)")


def _load():
    spec = importlib.util.spec_from_file_location("convx_kernel_generate", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_match_a_fresh_generation(tmp_path):
    gen = _load()
    out = gen.generate(str(tmp_path), remove_stale=False)
    assert out, "the generator produced nothing"
    differ, missing = [], []
    for rel in sorted(out):
        committed = os.path.join(KERNELS, rel)
        if not os.path.exists(committed):
            missing.append(rel)
            continue
        with open(committed, encoding="utf-8") as f, open(tmp_path / rel, encoding="utf-8") as g:
            if f.read() != g.read():
                differ.append(rel)
    hint = "run `python csrc/kernels/generate.py` and commit the result"
    assert not missing, f"generated files missing from csrc/kernels ({hint}): {missing}"
    assert not differ, f"csrc/kernels files differ from a fresh generation ({hint}): {differ}"


def test_no_stale_generated_files():
    gen = _load()
    stale = gen.stale(KERNELS, gen.outputs())
    assert not stale, (f"generated files no longer produced by the generator (run "
                       f"`python csrc/kernels/generate.py`, which deletes them): {stale}")


def test_every_generated_file_is_marked_and_hand_written_ones_are_not(tmp_path):
    gen = _load()
    out = gen.generate(str(tmp_path), remove_stale=False)
    for rel in out:
        assert gen.is_generated(os.path.join(tmp_path, rel)), rel
    for hand in ("kernels.h", "simd.h", "generate.py", "transpose/f32-transpose-16x16-avx512.c",
                 "dwconv/dwconv.template.h", "gemm/gemm.template.h"):
        assert not gen.is_generated(os.path.join(KERNELS, hand)), hand


def test_stale_files_are_removed(tmp_path):
    gen = _load()
    gen.generate(str(tmp_path))
    old = tmp_path / "gemm" / "f32-gemm-99x99-avx512.c"
    old.write_text(gen.MARKER + " from gemm.template.h: do not edit. */\n")
    hand = tmp_path / "gemm" / "f32-gemm-hand-avx512.c"
    hand.write_text("/* written by hand */\n")
    assert gen.stale(str(tmp_path), gen.outputs()) == ["gemm/f32-gemm-99x99-avx512.c"]
    gen.generate(str(tmp_path))
    assert not old.exists() and hand.exists()
