"""Plausible wrong answers that must lose their points (see README.md in this folder).

Lesson __LESSON__.
"""

MISTAKES = [
    dict(
        cell="moving_average",
        name="sums each window instead of averaging it",
        code="""
def moving_average(x, k):
    x = np.asarray(x, dtype=float)
    if not 1 <= k <= len(x):
        raise ValueError("k must be from 1 to len(x)")
    return np.array([x[i : i + k].sum() for i in range(len(x) - k + 1)])
""",
        loses=["test_moving_average"],
        feedback="summed each window instead of averaging it",
    ),
    dict(
        cell="moving_average",
        name="running sums one window short: the first window is lost",
        code="""
def moving_average(x, k):
    x = np.asarray(x, dtype=float)
    if not 1 <= k <= len(x):
        raise ValueError("k must be from 1 to len(x)")
    total = np.cumsum(x)
    return (total[k:] - total[:-k]) / k
""",
        loses=["test_moving_average"],
        feedback="there are len(x) - k + 1 windows",
    ),
]
