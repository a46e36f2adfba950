"""Make docs/filter-input.png (a synthetic test picture drawn with NumPy) and, for every named
kernel of ``convx.kernels`` but ``identity``, run
``python -m convx filter docs/filter-input.png -k NAME -o docs/filter-NAME.png`` (the pictures
of the README and of the documentation's gallery, docs/gallery.rst).

Run from the repository root: ``python docs/make_filter_demo.py`` (needs Pillow).
"""
import os
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def picture(h=240, w=320):
    """Shapes on a soft diagonal gradient: a disc, a square, a triangle, stripes and a ring."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.empty((h, w, 3))
    img[...] = (40 + 60 * x[..., None] / w + 40 * y[..., None] / h) * np.array([0.6, 0.8, 1.0])
    disc = (x - 80) ** 2 + (y - 80) ** 2 < 45 ** 2
    img[disc] = (230, 80, 60)
    img[140:210, 40:120] = (250, 210, 60)
    tri = (y > 40) & (y < 130) & (np.abs(x - 230) < (y - 40) * 0.6)
    img[tri] = (70, 190, 90)
    stripes = (y > 160) & (y < 220) & (x > 160) & (x < 300) & ((x // 10) % 2 == 0)
    img[stripes] = (245, 245, 245)
    r = np.hypot(x - 270, y - 190)
    ring = (r > 18) & (r < 26)
    img[ring] = (30, 30, 120)
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    from convx.kernels import NAMES

    src = os.path.join(HERE, "filter-input.png")
    Image.fromarray(picture()).save(src, optimize=True)
    for name in sorted(NAMES):
        if name == "identity":
            continue
        dst = os.path.join(HERE, f"filter-{name}.png")
        subprocess.run([sys.executable, "-m", "convx", "filter", src, "-k", name, "-o", dst],
                       check=True)


if __name__ == "__main__":
    main()
