"""The class grader (see ``cnncourse.classgrade``); ``sandbox`` isolates the student's kernel."""
