"""List the grader's temporary folder and read other students' jobs (their submissions)."""

import glob
import os
import tempfile

OTHER_JOB = "/tmp/cnncourse-job-abc123/kernel/03-conv2d.ipynb"  # set by the test

roots = {tempfile.gettempdir(), "/tmp", "/var/tmp", os.path.dirname(os.getcwd())}
jobs = [path for root in roots for path in glob.glob(os.path.join(root, "cnncourse-job-*"))]
print("jobs seen:", jobs)
found = [
    path
    for job in jobs
    for path in glob.glob(os.path.join(job, "**", "*.ipynb"), recursive=True)
    if not path.startswith(os.getcwd())
]
with open(found[0] if found else OTHER_JOB) as handle:  # FileNotFoundError when hidden
    print(handle.read()[:2000])
