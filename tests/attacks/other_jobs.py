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
for path in [OTHER_JOB, *found][:20]:
    with open(path) as handle:  # FileNotFoundError when the other job cannot be seen
        print(path, handle.read()[:300])
