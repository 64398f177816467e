"""nbgrader configuration for the course (read by every nbgrader command run here).

Masters live in solutions/NN-slug/NN-slug.ipynb; `nbgrader generate_assignment NN-slug`
writes the students' copy to course/NN-slug/.
"""

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "cnn-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".DS_Store",
]

# Fast mode (NBGRADER_EXECUTION is set during autograding) keeps training cells to seconds;
# this limit is for a slow or busy machine, and stops an infinite loop.
c.Execute.timeout = 180
c.Execute.interrupt_on_timeout = True
# The kernel's own C++ libraries (TensorFlow) write log lines to the process's stderr. By
# default ipykernel forwards them into the cell's output as stderr, and nbgrader gives a test
# cell with any stderr output zero points. Keep them out of the notebook.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.capture_fd_output=False",
    # Warnings and other writes to sys.stderr come out as stdout: still shown, never a lost
    # point (nbgrader scores a test cell with stderr output zero). Errors still fail.
    "--IPKernelApp.extensions=cnncourse.grader.stderr",
]
# Belt and braces: drop stderr outputs that are TensorFlow/absl log lines.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(^|\n)(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |[IWEF]\d{4} \d\d:\d\d:\d\d"
    r"|WARNING: All log messages before absl|To enable the following instructions"
    r"|oneDNN custom operations are on)"
)

# The grader's guard (cnncourse.grader.execute.GuardedExecute, see docs/grader.md) in place of
# nbgrader's Execute: before and after each graded test cell it restores what student code can
# bend (IPython's transformers and hooks, builtins, NumPy, cnncourse.checks) and zeroes the cell
# when something was changed. Named by import path: reading this file needs no nbgrader.
c.Autograde.autograde_preprocessors = [
    "cnncourse.grader.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# The course's own cells that only show something (figures, tables, a demo's training), and that
# no graded test depends on, are not run while grading: their place in the feedback says so.
# Whatever a student wrote or changed runs (cnncourse.grader.prune). False runs every cell.
c.GuardedExecute.graded_path_only = True

# Run as root with bubblewrap, `nbgrader autograde` forks every sandboxed kernel from one zygote
# that imported the lesson's libraries (TensorFlow) once for the whole run
# (cnncourse.grader.execute.own_zygote). False starts each kernel in bubblewrap.
c.GuardedExecute.fork_kernels = True

# Feedback shows each test cell's code. Hidden tests stay hidden there too: some hold the
# master's version of an earlier exercise's function (so one mistake costs points once), which
# would give that answer away. The test's output (what failed, and why) is still shown.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
