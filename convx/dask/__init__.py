"""Chunked and distributed convolutions and filters on Dask: ``convx.dask``.

The same operations as convx, taking and returning (lazy) dask arrays, so they run on any Dask
scheduler -- threads, processes, or a ``dask.distributed`` cluster of many machines -- with
results equal to the in-memory call (up to rounding):

* :mod:`convx.dask.filters`: every function of :mod:`convx.filters`, same arguments, chunked
  along any axes with exact halos and every boundary mode.
* :func:`conv1d`, :func:`conv2d`, :func:`conv3d`, :func:`conv_transpose1d`,
  :func:`conv_transpose2d`, :func:`conv_transpose3d`, :func:`depthwise_separable_conv1d`,
  :func:`depthwise_separable_conv2d`, :func:`depthwise_separable_conv3d`: the input chunked
  along the batch axis (independent tasks) and/or the spatial axes (halo exchange, output chunks
  aligned to the stride); the channel axis is kept in one chunk.

Chunks too small for the halo, or not aligned to the stride, are merged with a neighbour and a
:class:`RechunkWarning` says so; ``rechunk=False`` makes it a ``ValueError``. Weights are one
key of the graph, so a cluster sends them to each worker once. Each task runs convx with
``workers=`` threads; the default divides the cores a worker may use by the tasks it runs at
once, so tasks x threads never oversubscribe (in a distributed worker: 1 thread per task).

Needs the ``dask`` extra: ``pip install 'pyconvx[dask]'`` (dask[array] and distributed);
``import convx`` never imports dask.
"""
from convx.dask._common import RechunkWarning
from convx.dask._conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
                              conv_transpose3d, depthwise_separable_conv1d,
                              depthwise_separable_conv2d, depthwise_separable_conv3d)
from convx.dask import filters

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "depthwise_separable_conv1d", "depthwise_separable_conv2d", "depthwise_separable_conv3d",
    "filters", "RechunkWarning",
]
