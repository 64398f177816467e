"""Figures the lessons share. Each function draws on new axes and returns the figure.

By subject: :mod:`.images` (arrays as pictures, learning curves, boxes, masks),
:mod:`.convolution` (how a convolution slides), :mod:`.architecture` (sizes and layer tables).
"""

from cnncourse.plotting.architecture import plot_feature_map_sizes, plot_layer_table
from cnncourse.plotting.convolution import (
    plot_connections,
    plot_conv_step_2d,
    plot_kernel_cube,
    plot_sliding_window_1d,
    plot_sliding_window_2d,
)
from cnncourse.plotting.images import (
    draw_boxes,
    plot_history,
    plot_segmentation,
    show_feature_maps,
    show_images,
)

__all__ = [
    "show_images",
    "show_feature_maps",
    "plot_history",
    "plot_sliding_window_2d",
    "plot_connections",
    "plot_conv_step_2d",
    "plot_sliding_window_1d",
    "plot_kernel_cube",
    "plot_feature_map_sizes",
    "plot_layer_table",
    "plot_segmentation",
    "draw_boxes",
]
