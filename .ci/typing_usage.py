"""A user's typed code: mypy --strict must accept it against convx's stubs (.ci/packaging.sh)."""
import numpy as np
import numpy.typing as npt

import convx
import convx.filters
import convx.kernels
import convx.reference

x: npt.NDArray[np.float32] = np.zeros((1, 3, 8, 8), dtype=np.float32)
w = np.ones((4, 3, 3, 3), dtype=np.float32)

y: npt.NDArray[np.floating] = convx.conv2d(x, w, padding="same", workers=2)
y = convx.conv2d(x, w, None, (1, 1), 1, 1, 1, padding_mode="reflect", algorithm="direct")
y = convx.conv1d(x[0], w[:, :, 0], stride=2)
y = convx.conv3d(x[:, :, None], w[:, :, None], padding=(0, 1, 1), out=None)
y = convx.conv_transpose2d(x, w.transpose(1, 0, 2, 3), stride=2, output_padding=1)
y = convx.deform_conv2d(x, np.zeros((1, 18, 6, 6), np.float32), w, mask=None)
y = convx.depthwise_separable_conv2d(x, np.ones((3, 1, 3, 3)), np.ones((8, 3, 1, 1)), padding=1)
y = convx.spatially_separable_conv2d(x, np.ones((3, 1, 3, 1)), np.ones((3, 1, 1, 3)), groups=3)
y = convx.reference.conv2d(x, w, padding=1)

img = np.zeros((16, 16))
g: npt.NDArray[np.generic] = convx.filters.gaussian_filter(img, 1.5, mode="nearest", workers=-1)
g = convx.filters.correlate(img, convx.kernels.sobel_x(), mode=("reflect", "wrap"))
g = convx.filters.sobel(img, axis=0, output=np.float32)
k: npt.NDArray[np.float64] = convx.kernels.gaussian(5, 1.0)

convx.set_num_threads(2)
n: int = convx.get_num_threads()
cfg = convx.get_config()
convx.show_config()
version: str = convx.__version__
