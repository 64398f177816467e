"""The grader: a whole class or one submission, graded with nbgrader and guarded."""
