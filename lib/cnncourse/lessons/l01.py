"""Lesson 01 (intuition): the visible tests' cases, each with the likely mistakes it tells apart.

Each function returns a fresh list of ``(arguments..., expected, {likely mistake: the value it
gives})``; the values follow from the formulas in the lesson's text.
"""

from __future__ import annotations

NO_BIAS = "the bias was forgotten: every neuron also has one bias"
BIAS_PER_INPUT = "one bias per INPUT: the bias belongs to each neuron (output), so there are n_out"
BOTH_PLUS_ONE = "(n_in + 1) * (n_out + 1): only the inputs get an extra constant 1, not the outputs"
DENSE_BIAS_IGNORED = "bias=False was ignored: without a bias there are only the weights"

NO_C_IN = "c_in was ignored: each filter is k_h x k_w x c_in, it spans every input channel"
NO_FILTER_BIAS = "the bias was forgotten: each filter (output channel) has one bias"
BIAS_PER_CHANNEL = "one bias per INPUT channel: there is one bias per filter, i.e. c_out"
CONV_BIAS_IGNORED = "bias=False was ignored: without a bias there are only the kernel weights"
SQUARE_H = "the kernel area was computed as k_h * k_h (a square kernel): use k_h * k_w"
SQUARE_W = "the kernel area was computed as k_w * k_w (a square kernel): use k_h * k_w"

STRIDE_IGNORED = (
    "the stride was ignored: after a layer with stride s, one step of the next layer moves s "
    "times as far in the input (the jump), so each kernel reaches (k - 1) * jump pixels"
)
ADD_K = (
    "adding k instead of k - 1: a k-wide window reaches only k - 1 pixels beyond the one it "
    "starts at"
)
JUMP_FIRST = (
    "the jump was updated before the receptive field: a layer's own stride only spreads the "
    "layers AFTER it"
)
START_ZERO = "r started at 0: with no layer at all, an output is one input pixel, so r starts at 1"


def dense_params_cases() -> list[tuple]:
    """Exercise 1: ``(n_in, n_out, bias, expected, likely)``."""
    return [
        (784, 10, True, 7850, {NO_BIAS: 7840, BIAS_PER_INPUT: 8624, BOTH_PLUS_ONE: 8635}),
        (
            784,
            10,
            False,
            7840,
            {BIAS_PER_INPUT: 8624, DENSE_BIAS_IGNORED: 7850, BOTH_PLUS_ONE: 8635},
        ),
        (3, 2, True, 8, {NO_BIAS: 6, BIAS_PER_INPUT: 9, BOTH_PLUS_ONE: 12}),
        (784, 784, True, 615440, {NO_BIAS: 614656, BOTH_PLUS_ONE: 616225}),
    ]


def conv2d_params_cases() -> list[tuple]:
    """Exercise 2: ``(k_h, k_w, c_in, c_out, bias, expected, likely)``."""
    return [
        (3, 3, 1, 32, True, 320, {NO_FILTER_BIAS: 288, BIAS_PER_CHANNEL: 289}),
        (3, 3, 3, 64, True, 1792, {NO_C_IN: 640, NO_FILTER_BIAS: 1728, BIAS_PER_CHANNEL: 1731}),
        (3, 3, 3, 64, False, 1728, {NO_C_IN: 576, CONV_BIAS_IGNORED: 1792, BIAS_PER_CHANNEL: 1731}),
        (5, 3, 2, 4, True, 124, {NO_C_IN: 64, NO_FILTER_BIAS: 120, BIAS_PER_CHANNEL: 122,
                                 SQUARE_H: 204, SQUARE_W: 76}),
    ]  # fmt: skip


def receptive_field_cases() -> list[tuple]:
    """Exercise 4: ``(layers, expected, likely)``."""
    return [
        ([], 1, {START_ZERO: 0}),
        ([("conv", 3, 1)], 3, {ADD_K: 4, START_ZERO: 2}),
        ([("conv", 3, 1), ("conv", 3, 1)], 5, {ADD_K: 7, START_ZERO: 4}),
        ([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)], 8,
         {STRIDE_IGNORED: 6, ADD_K: 12, JUMP_FIRST: 9, START_ZERO: 7}),
        ([("conv", 5, 1), ("pool", 2, 2), ("conv", 5, 1), ("pool", 2, 2), ("conv", 5, 1)], 32,
         {STRIDE_IGNORED: 15, ADD_K: 42, JUMP_FIRST: 35, START_ZERO: 31}),
    ]  # fmt: skip
