"""The course's grader: running, scoring and reporting students' notebooks."""
