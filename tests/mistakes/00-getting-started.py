"""Plausible wrong answers for 00-getting-started (see README.md in this folder)."""

MISTAKES = [
    # valid_output_size ----------------------------------------------------------------------------
    dict(
        cell="valid_output_size",
        name="off by one: n - k",
        code="""
def valid_output_size(n, k):
    if k > n or n < 1 or k < 1:
        raise ValueError("bad sizes")
    return n - k
""",
        loses=["test_valid_output_size"],
        feedback="off by one",
    ),
    dict(
        cell="valid_output_size",
        name="full convolution size: n + k - 1",
        base="off by one: n - k",
        replace=[
            (
                "    return n - k",
                "    return n + k - 1",
            ),
        ],
        loses=["test_valid_output_size"],
        feedback="size of a 'full' convolution",
    ),
    dict(
        cell="valid_output_size",
        name="no input validation: a kernel longer than the input gives a negative size",
        base="off by one: n - k",
        replace=[
            (
                """    if k > n or n < 1 or k < 1:
        raise ValueError("bad sizes")
    return n - k""",
                "    return n - k + 1",
            ),
        ],
        loses=["test_valid_output_size"],
        feedback="should raise ValueError",
    ),
    # output_size ----------------------------------------------------------------------------------
    dict(
        cell="output_size",
        name="padding added once instead of at both ends",
        base="off by one: n - k",
        replace=[
            (
                """def valid_output_size(n, k):
    if k > n or n < 1 or k < 1:""",
                """def output_size(n, k, padding=0, stride=1):
    if stride < 1 or padding < 0 or k > n + 2 * padding:""",
            ),
            (
                "    return n - k",
                "    return (n + padding - k) // stride + 1",
            ),
        ],
        loses=["test_output_size"],
        feedback="pad both ends",
    ),
    dict(
        cell="output_size",
        name="true division returns a float",
        base="padding added once instead of at both ends",
        replace=[
            (
                "    return (n + padding - k) // stride + 1",
                "    return (n + 2 * padding - k) / stride + 1",
            ),
        ],
        loses=["test_output_size"],
        feedback="should be int",
    ),
    dict(
        cell="output_size",
        name="the + 1 inside the floor division",
        base="padding added once instead of at both ends",
        replace=[
            (
                "    return (n + padding - k) // stride + 1",
                "    return (n + 2 * padding - k + 1) // stride",
            ),
        ],
        loses=["test_output_size"],
        feedback="the + 1 is inside the division",
    ),
    # same_padding ---------------------------------------------------------------------------------
    dict(
        cell="same_padding",
        name="extra zero before the input (the opposite of TensorFlow)",
        base="no input validation: a kernel longer than the input gives a negative size",
        replace=[
            (
                """def valid_output_size(n, k):
    return n - k + 1""",
                """def same_padding(k):
    if k < 1:
        raise ValueError("k must be positive")
    return (k // 2, (k - 1) // 2)""",
            ),
        ],
        loses=["test_same_padding"],
        feedback="the extra zero is before the input",
    ),
    dict(
        cell="same_padding",
        name="k // 2 zeros on each side (one too many for an even kernel)",
        base="extra zero before the input (the opposite of TensorFlow)",
        replace=[
            (
                "    return (k // 2, (k - 1) // 2)",
                "    return (k // 2, k // 2)",
            ),
        ],
        loses=["test_same_padding"],
        feedback="one too many for an even k",
    ),
]
