"""Correct answers that keep every point, each built differently from the master.

Lesson __LESSON__; see tests/test_alternatives.py.
"""

ALTERNATIVES = [
    dict(
        cell="moving_average",
        name="np.convolve with a kernel of 1/k",
        code="""
def moving_average(x, k):
    x = np.asarray(x, dtype=float)
    if k < 1 or k > len(x):
        raise ValueError(f"window of {k} values for a signal of {len(x)}")
    return np.convolve(x, np.full(k, 1 / k), mode="valid")
""",
    ),
    dict(
        cell="moving_average",
        name="plain Python loops over the windows",
        code="""
def moving_average(x, k):
    values = [float(v) for v in x]
    if not 1 <= k <= len(values):
        raise ValueError("the window must hold from 1 to len(x) values")
    averages = []
    for start in range(len(values) - k + 1):
        averages.append(sum(values[start : start + k]) / k)
    return np.array(averages)
""",
    ),
]
